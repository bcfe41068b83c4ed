// The bridge-mode service the generator's bridge tests start from (routes and module added by each test).
export const BRIDGE_SERVICE = `kind: MetaProtocolService
name: demo
protocol: dubbo
mode: bridge
host: provider.demo.svc.cluster.local
port: 20880
`;
