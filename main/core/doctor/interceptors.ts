/**
 * Names of TLS-inspecting proxies and security gateways as they appear in the issuer of the certificates they
 * forge. Trend Micro alone is not listed (the manager's own vendor); its web gateway (InterScan, IWSVA) is.
 */
const INTERCEPTORS: [RegExp, string][] = [
  [/zscaler/i, 'Zscaler'],
  [/blue ?coat|symantec (web|proxysg)|proxysg/i, 'Symantec/Blue Coat ProxySG'],
  [/forti(gate|net|proxy)/i, 'Fortinet FortiGate'],
  [/palo ?alto|pan-?os/i, 'Palo Alto Networks'],
  [/netskope/i, 'Netskope'],
  [/sophos/i, 'Sophos'],
  [/mcafee web gateway|skyhigh/i, 'Skyhigh/McAfee Web Gateway'],
  [/umbrella|cisco.*(secure web|wsa|ironport)/i, 'Cisco Umbrella/Secure Web Appliance'],
  [/forcepoint|websense/i, 'Forcepoint'],
  [/check ?point/i, 'Check Point'],
  [/barracuda/i, 'Barracuda'],
  [/interscan|iwsva|iwss/i, 'Trend Micro InterScan Web Security'],
  [/kaspersky/i, 'Kaspersky'],
  [/eset ssl/i, 'ESET'],
  [/avast|avg web|bitdefender/i, 'antivirus HTTPS scanning'],
  [/squid/i, 'Squid'],
  [/mitmproxy|charles proxy|fiddler|burp/i, 'a debugging proxy'],
  [/menlo|iboss|lightspeed|contentkeeper|smoothwall|securly|cloudflare (gateway|for teams)/i, 'a secure web gateway'],
  [/\bproxy\b|inspect|intercept|decrypt|ssl ?vpn/i, 'a TLS-inspecting proxy'],
];

/** The interception product an issuer names, or null. */
export function interceptorNamedBy(issuer: string): string | null {
  for (const [re, name] of INTERCEPTORS) if (re.test(issuer)) return name;
  return null;
}
