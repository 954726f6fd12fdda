// Command deploycheck validates the mesh's deployment files without a cluster or a Docker engine:
// every kustomization under k8s/ rendered (kustomize's own library) and each resource strictly decoded
// against the Kubernetes API types, the production rules (policy.go), the supergraph ConfigMap's copy
// in step with schema/, the compose files through `docker-compose config`, the Dockerfiles through
// BuildKit's linter. `npm run check:deploy` runs it from the repository root; .ci/run runs it too.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	problems, summary := check(*root)
	for _, s := range summary {
		fmt.Println(s)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "\n%d problem(s):\n", len(problems))
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "  "+p)
		}
		os.Exit(1)
	}
	fmt.Println("deployment files: ok")
}

// check runs every check under root; it returns the problems and one summary line per check.
func check(root string) (problems, summary []string) {
	k8sProblems, k8sSummary := checkKubernetes(root)
	problems = append(problems, k8sProblems...)
	summary = append(summary, k8sSummary...)

	for _, f := range []string{"supergraph.graphql", "public.graphql"} {
		problems = append(problems, checkSchemaCopy(root, f)...)
	}

	composeProblems, err := checkCompose(filepath.Join(root, "docker"))
	if err != nil {
		problems = append(problems, "compose: "+err.Error())
	}
	problems = append(problems, composeProblems...)
	summary = append(summary, "compose: docker-compose config on docker/docker-compose*.yml")

	dockerfiles, _ := filepath.Glob(filepath.Join(root, "docker", "Dockerfile*"))
	if len(dockerfiles) == 0 {
		problems = append(problems, "dockerfiles: none under docker/")
	}
	for _, f := range dockerfiles {
		warnings, err := lintDockerfile(f)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", f, err))
		}
		problems = append(problems, warnings...)
	}
	summary = append(summary, fmt.Sprintf("dockerfiles: %d linted (BuildKit checks)", len(dockerfiles)))
	return problems, summary
}

func checkKubernetes(root string) (problems, summary []string) {
	dir := filepath.Join(root, "k8s")
	roots, components, err := kustomizationRoots(dir)
	if err != nil || len(roots) == 0 {
		return []string{fmt.Sprintf("kustomize: no kustomization under %s (%v)", dir, err)}, nil
	}
	// Problems name the kustomization relative to the repository root (k8s/overlays/prod).
	rel := func(path string) string {
		if r, err := filepath.Rel(root, path); err == nil {
			return r
		}
		return path
	}
	type build struct{ label, dir string }
	var builds []build
	for _, r := range roots {
		builds = append(builds, build{rel(r), r})
	}
	// Each component on top of each overlay.
	for _, c := range components {
		for _, r := range roots {
			if filepath.Base(filepath.Dir(r)) != "overlays" {
				continue
			}
			tmp, err := withComponent(r, c)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", c, err))
				continue
			}
			defer os.RemoveAll(tmp)
			builds = append(builds, build{rel(r) + " + " + rel(c), tmp})
		}
	}
	for _, b := range builds {
		r := b.label
		manifests, err := render(b.dir)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: kustomize: %v", r, err))
			continue
		}
		var objs []runtime.Object
		for _, m := range manifests {
			obj, err := decode(m)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s: %v", r, m.name, err))
				continue
			}
			objs = append(objs, obj)
		}
		for _, p := range policy(objs) {
			problems = append(problems, fmt.Sprintf("%s: %s", r, p))
		}
		summary = append(summary, fmt.Sprintf("kustomize %s: %d resources", r, len(manifests)))
	}
	return problems, summary
}

// The gateway's ConfigMap is generated from k8s/base/{supergraph,public}.graphql: kustomize reads files
// only from inside the kustomization, so they are copies of schema/'s (`npm run compose` writes both),
// and a stale copy would deploy an old schema.
func checkSchemaCopy(root, name string) []string {
	want, err := os.ReadFile(filepath.Join(root, "schema", name))
	if err != nil {
		return []string{"schema: " + err.Error()}
	}
	got, err := os.ReadFile(filepath.Join(root, "k8s", "base", name))
	if err != nil {
		return []string{"schema: " + err.Error()}
	}
	if !bytes.Equal(want, got) {
		return []string{fmt.Sprintf("k8s/base/%s differs from schema/%s: run npm run compose", name, name)}
	}
	return nil
}
