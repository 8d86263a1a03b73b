// Our loopback DNS server for the tests of sender authentication (written for casegate, not a
// library): it lives in bench/dns.ts because the benchmarks serve their records with it too.
export { startDns, type DnsRecord, type DnsServer, type DnsTable } from '../../bench/dns.js';
