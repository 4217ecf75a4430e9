// Command kube-apiserver is a thin wrapper around the upstream kube-apiserver
// so the e2e harness can build a real API server from Go modules (no binary
// downloads). Versions are pinned in go.mod.
package main

import (
	"os"
	_ "time/tzdata" // CronJob time zones, as upstream does

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
