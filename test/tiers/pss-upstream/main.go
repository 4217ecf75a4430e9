// Command pss-upstream evaluates pods with the real k8s.io/pod-security-admission library so the tier
// test can compare Rampart's PSS engine with upstream, case by case.
//
// Input (stdin): JSON lines, either
//
//	{"id":"...","level":"restricted","version":"v1.25","pod":{...Pod JSON...}}
//	{"id":"...","labels":{"pod-security.kubernetes.io/enforce":"baseline"}}
//
// Output (stdout): one JSON line per input line with the upstream results.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	sigsjson "sigs.k8s.io/json"
)

type input struct {
	ID      string            `json:"id"`
	Level   string            `json:"level,omitempty"`
	Version string            `json:"version,omitempty"`
	Pod     json.RawMessage   `json:"pod,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

type checkOut struct {
	Allowed         bool   `json:"allowed"`
	ForbiddenReason string `json:"forbiddenReason"`
	ForbiddenDetail string `json:"forbiddenDetail"`
}

type levelVersion struct {
	Level   string `json:"level"`
	Version string `json:"version"`
}

type output struct {
	ID         string        `json:"id"`
	Error      string        `json:"error,omitempty"`
	Results    []checkOut    `json:"results,omitempty"`
	Allowed    *bool         `json:"allowed,omitempty"`
	Message    string        `json:"message,omitempty"`
	LevelError string        `json:"levelError,omitempty"`
	VersionErr string        `json:"versionError,omitempty"`
	Enforce    *levelVersion `json:"enforce,omitempty"`
	Audit      *levelVersion `json:"audit,omitempty"`
	Warn       *levelVersion `json:"warn,omitempty"`
	LabelErrs  []string      `json:"labelErrors,omitempty"`
}

func main() {
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// kube-apiserver's built-in defaults: privileged:latest for every mode.
	defaults := api.Policy{
		Enforce: api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()},
		Audit:   api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()},
		Warn:    api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()},
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		var c input
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "bad input line:", err)
			os.Exit(2)
		}
		o := output{ID: c.ID}
		if c.Labels != nil {
			p, errs := api.PolicyToEvaluate(c.Labels, defaults)
			o.Enforce = &levelVersion{string(p.Enforce.Level), p.Enforce.Version.String()}
			o.Audit = &levelVersion{string(p.Audit.Level), p.Audit.Version.String()}
			o.Warn = &levelVersion{string(p.Warn.Level), p.Warn.Version.String()}
			for _, e := range errs {
				o.LabelErrs = append(o.LabelErrs, e.Error())
			}
		} else {
			level, lerr := api.ParseLevel(c.Level)
			version, verr := api.ParseVersion(c.Version)
			if lerr != nil {
				o.LevelError = lerr.Error()
			}
			if verr != nil {
				o.VersionErr = verr.Error()
			}
			var pod corev1.Pod
			strictErrs, err := sigsjson.UnmarshalStrict(c.Pod, &pod, sigsjson.DisallowDuplicateFields)
			_ = strictErrs // unknown fields are dropped, as the API server's decoder does
			if err != nil {
				o.Error = err.Error()
			} else {
				lv := api.LevelVersion{Level: level, Version: version}
				results := evaluator.EvaluatePod(lv, &pod.ObjectMeta, &pod.Spec)
				o.Results = make([]checkOut, 0, len(results))
				for _, r := range results {
					o.Results = append(o.Results, checkOut{r.Allowed, r.ForbiddenReason, r.ForbiddenDetail})
				}
				agg := policy.AggregateCheckResults(results)
				allowed := agg.Allowed
				o.Allowed = &allowed
				if !agg.Allowed {
					o.Message = fmt.Sprintf("violates PodSecurity %q: %s", lv.String(), agg.ForbiddenDetail())
				}
			}
		}
		if err := enc.Encode(o); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
