/**
 * stsRegionOf returns the SigV4 region for an STS endpoint URL: R for
 * `sts.R.amazonaws.com`, `sts-fips.R.amazonaws.com`, `sts.R.amazonaws.com.cn`
 * and `sts.R.api.aws`; `us-east-1` for the global `sts.amazonaws.com` and for
 * any other host (a local test server, a proxy). The SDK needs it because an
 * explicit endpoint bypasses its endpoint rules, which would otherwise pick
 * the signing region, and AWS refuses a signature for another region than
 * the endpoint's. (The verifier reads `AWS_STS_URL` the same way.)
 */
export function stsRegionOf(endpoint: string): string {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return "us-east-1";
  }
  const match = /^sts(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$/.exec(host);
  return match?.[1] ?? "us-east-1";
}
