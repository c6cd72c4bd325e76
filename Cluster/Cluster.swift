// The Cluster module: what lets several sequencer nodes share one chain without forking it,
// on etcd (docs/ARCHITECTURE.md, "Cluster: etcd election and the fenced block log").
//
// - Gateway/   an etcd v3 client over the JSON gateway: KV, transactions, leases, watches.
// - Election/  one leader per chain, under a lease that expires when the leader stops renewing.
// - BlockLog/  the fenced block log: block N is appended only by the current leader, only once,
//              and only right after block N-1; standbys watch it in order.
// - ClusterKeys names every key the cluster writes.
