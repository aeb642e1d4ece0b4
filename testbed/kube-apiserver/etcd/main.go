// Command etcd is the etcd server at the version k8s.io/kubernetes itself requires (go.mod), built
// in the same module as kube-apiserver so that the test bed needs no system package. It is what the
// upstream etcd binary runs: etcdmain.Main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
