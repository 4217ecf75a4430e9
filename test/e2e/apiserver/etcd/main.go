// Command etcd is upstream etcd (the version k8s.io/kubernetes pins), built
// from Go modules so the e2e harness needs no downloaded binaries.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
