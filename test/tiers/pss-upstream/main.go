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
	"context"
	"encoding/json"
	"fmt"
	"os"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/admission"
	admissionapi "k8s.io/pod-security-admission/admission/api"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/metrics"
	"k8s.io/pod-security-admission/policy"
	sigsjson "sigs.k8s.io/json"
)

type noopMetrics struct{}

func (noopMetrics) RecordEvaluation(metrics.Decision, api.LevelVersion, metrics.Mode, api.Attributes) {
}
func (noopMetrics) RecordExemption(api.Attributes)   {}
func (noopMetrics) RecordError(bool, api.Attributes) {}

type fixedNamespace struct{ ns *corev1.Namespace }

func (f fixedNamespace) GetNamespace(context.Context, string) (*corev1.Namespace, error) {
	return f.ns, nil
}

type noPods struct{}

func (noPods) ListPods(context.Context, string) ([]*corev1.Pod, error) { return nil, nil }

type admissionCase struct {
	Labels map[string]string `json:"labels"`
	Target string            `json:"target"`
	Name   string            `json:"name"`
}

type admissionOut struct {
	Allowed          bool              `json:"allowed"`
	Message          string            `json:"message,omitempty"`
	Warnings         []string          `json:"warnings"`
	AuditAnnotations map[string]string `json:"auditAnnotations"`
}

// simulate runs the real Admission.Validate for a CREATE of a pod or a Deployment carrying the pod.
func simulate(evaluator policy.Evaluator, c admissionCase, pod *corev1.Pod) (*admissionOut, error) {
	a := &admission.Admission{
		Configuration: &admissionapi.PodSecurityConfiguration{Defaults: admissionapi.PodSecurityDefaults{
			Enforce: "privileged", EnforceVersion: "latest", Audit: "privileged", AuditVersion: "latest",
			Warn: "privileged", WarnVersion: "latest",
		}},
		Evaluator:       evaluator,
		Metrics:         noopMetrics{},
		NamespaceGetter: fixedNamespace{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns", Labels: c.Labels}}},
		PodLister:       noPods{},
	}
	if err := a.CompleteConfiguration(); err != nil {
		return nil, err
	}
	if err := a.ValidateConfiguration(); err != nil {
		return nil, err
	}
	attrs := &api.AttributesRecord{Name: c.Name, Namespace: "ns", Operation: admissionv1.Create}
	if c.Target == "pod" {
		pod.Name = c.Name
		attrs.Kind = corev1.SchemeGroupVersion.WithKind("Pod")
		attrs.Resource = corev1.SchemeGroupVersion.WithResource("pods")
		attrs.Object = pod
	} else {
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: c.Name}}
		d.Spec.Template.ObjectMeta = pod.ObjectMeta
		d.Spec.Template.Spec = pod.Spec
		attrs.Kind = appsv1.SchemeGroupVersion.WithKind("Deployment")
		attrs.Resource = appsv1.SchemeGroupVersion.WithResource("deployments")
		attrs.Object = d
	}
	r := a.Validate(context.Background(), attrs)
	out := &admissionOut{Allowed: r.Allowed, Warnings: r.Warnings, AuditAnnotations: r.AuditAnnotations}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	if out.AuditAnnotations == nil {
		out.AuditAnnotations = map[string]string{}
	}
	if r.Result != nil {
		out.Message = r.Result.Message
	}
	return out, nil
}

type input struct {
	ID      string            `json:"id"`
	Level   string            `json:"level,omitempty"`
	Version string            `json:"version,omitempty"`
	Pod     json.RawMessage   `json:"pod,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	// Admission, when set, runs the full admission path for the pod instead of the evaluator alone.
	Admission *admissionCase `json:"admission,omitempty"`
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
	Admission  *admissionOut `json:"admission,omitempty"`
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
		if c.Admission != nil {
			var pod corev1.Pod
			if _, err := sigsjson.UnmarshalStrict(c.Pod, &pod, sigsjson.DisallowDuplicateFields); err != nil {
				o.Error = err.Error()
			} else if res, err := simulate(evaluator, *c.Admission, &pod); err != nil {
				o.Error = err.Error()
			} else {
				o.Admission = res
			}
		} else if c.Labels != nil {
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
