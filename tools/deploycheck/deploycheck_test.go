package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const repo = "../.."

// copyRepo copies what the check reads (k8s/, docker/, schema/*.graphql) into a temp root.
func copyRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"k8s", "docker"} {
		if err := os.CopyFS(filepath.Join(root, d), os.DirFS(filepath.Join(repo, d))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "schema"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"supergraph.graphql", "public.graphql"} {
		dt, err := os.ReadFile(filepath.Join(repo, "schema", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "schema", f), dt, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// edit replaces the first occurrence of old in root/file, failing if old is not there (so a fixture
// cannot silently stop breaking anything when the manifests change).
func edit(t *testing.T, root, file, old, replacement string) {
	t.Helper()
	path := filepath.Join(root, file)
	dt, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dt), old) {
		t.Fatalf("%s does not contain %q: update the fixture", file, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(dt), old, replacement, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTheRepositorysDeploymentFilesPass(t *testing.T) {
	problems, summary := check(repo)
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", strings.Join(problems, "\n"))
	}
	// Every overlay is rendered: a check that silently rendered nothing would pass too.
	joined := strings.Join(summary, "\n")
	for _, want := range []string{"k8s/overlays/dev", "k8s/overlays/prod", "k8s/base", "k8s/mongodb",
		"k8s/overlays/prod + k8s/components/metrics", "dockerfiles: 2 linted"} {
		if !strings.Contains(joined, want) {
			t.Errorf("summary lacks %q:\n%s", want, joined)
		}
	}
}

func TestABrokenFileFailsTheCheck(t *testing.T) {
	cases := []struct {
		name, file, old, replacement, want string
	}{
		{"unknown field", "k8s/base/users.yaml", "revisionHistoryLimit: 5", "revisionHistoryLimt: 5",
			`unknown field "spec.revisionHistoryLimt"`},
		{"wrong type", "k8s/base/ads.yaml", "maxUnavailable: 1\n", "maxUnavailable: [1]\n",
			"cannot unmarshal array"},
		{"duplicate field", "k8s/base/feedback.yaml", "revisionHistoryLimit: 5", "revisionHistoryLimit: 5\n  revisionHistoryLimit: 6",
			"revisionHistoryLimit"},
		{"removed API version", "k8s/base/gateway.yaml", "apiVersion: autoscaling/v2\n", "apiVersion: autoscaling/v2beta2\n",
			"autoscaling/v2beta2"},
		{"kustomize error", "k8s/base/kustomization.yaml", "  - users.yaml\n", "  - user.yaml\n",
			"user.yaml"},
		{"writable root filesystem", "k8s/base/feedback.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
			"Deployment/feedback: container feedback: readOnlyRootFilesystem is not true"},
		{"capabilities kept", "k8s/base/gateway.yaml", `drop: ["ALL"]`, `drop: ["NET_RAW"]`,
			"Deployment/gateway: container gateway: capabilities do not drop ALL"},
		{"GPU without toleration", "k8s/overlays/prod/gpu.yaml", "key: nvidia.com/gpu", "key: example.com/other",
			"does not tolerate the nvidia.com/gpu taint"},
		{"HPA aimed at nothing", "k8s/base/users.yaml", "    kind: Deployment\n    name: users", "    kind: Deployment\n    name: userz",
			"HorizontalPodAutoscaler/users: scales Deployment/userz, which is not rendered"},
		{"scrape port not served", "k8s/components/metrics/scrape.yaml", `prometheus.io/port: "9464"`, `prometheus.io/port: "9465"`,
			"k8s/overlays/prod: Deployment/gateway: prometheus.io/port 9465 is no containerPort"},
		{"supergraph from the image", "k8s/base/gateway.yaml", "value: /etc/attention-mesh/schema/supergraph.graphql",
			"value: /app/schema/supergraph.graphql", "Deployment/gateway: container gateway: SUPERGRAPH_PATH /app/schema/supergraph.graphql is not in a mounted ConfigMap"},
		{"stale supergraph copy", "k8s/base/supergraph.graphql", "type ", "type  ",
			"k8s/base/supergraph.graphql differs"},
		{"compose typo", "docker/docker-compose.yml", "restart:", "restrat:",
			"Unsupported config option"},
		{"Dockerfile lint", "docker/Dockerfile", "FROM node:20.20.2-bookworm-slim AS base", "from node:20.20.2-bookworm-slim as base",
			"ConsistentInstructionCasing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := copyRepo(t)
			edit(t, root, c.file, c.old, c.replacement)
			problems, _ := check(root)
			if !strings.Contains(strings.Join(problems, "\n"), c.want) {
				t.Fatalf("want a problem containing %q, got:\n%s", c.want, strings.Join(problems, "\n"))
			}
		})
	}
}

func TestAMissingProbeFailsThePolicy(t *testing.T) {
	root := copyRepo(t)
	// Drop the users Deployment's readinessProbe block (the key and its 6 lines).
	path := filepath.Join(root, "k8s/base/users.yaml")
	dt, _ := os.ReadFile(path)
	lines := strings.Split(string(dt), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "readinessProbe:" {
			lines = append(lines[:i], lines[i+7:]...)
			break
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	problems, _ := check(root)
	if !strings.Contains(strings.Join(problems, "\n"), "Deployment/users: container users: no readinessProbe") {
		t.Fatalf("got:\n%s", strings.Join(problems, "\n"))
	}
}
