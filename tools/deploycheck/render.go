package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// manifest is one rendered resource, as YAML, with the kustomization it came from.
type manifest struct {
	root string
	name string
	yaml []byte
}

// kustomizationRoots lists every directory under dir that holds a kustomization file: the overlays and
// the bases they build on, each rendered on its own so that a base cannot hide behind an overlay patch,
// and apart from them the components (kind: Component), which cannot be built on their own.
func kustomizationRoots(dir string) (roots, components []string, err error) {
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch d.Name() {
		case "kustomization.yaml", "kustomization.yml", "Kustomization":
			dt, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if componentKind.Match(dt) {
				components = append(components, filepath.Dir(path))
			} else {
				roots = append(roots, filepath.Dir(path))
			}
		}
		return nil
	})
	sort.Strings(roots)
	sort.Strings(components)
	return roots, components, err
}

var componentKind = regexp.MustCompile(`(?m)^kind:\s*Component\s*$`)

// withComponent writes, in a temp dir, a kustomization that is overlay plus component, the way an
// overlay would opt into it, so that a component is rendered and checked as it would be deployed.
func withComponent(overlay, component string) (string, error) {
	absOverlay, err := filepath.Abs(overlay)
	if err != nil {
		return "", err
	}
	absComponent, err := filepath.Abs(component)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "deploycheck-component-")
	if err != nil {
		return "", err
	}
	// kustomize takes only relative paths to other kustomizations.
	if absOverlay, err = filepath.Rel(dir, absOverlay); err != nil {
		return "", err
	}
	if absComponent, err = filepath.Rel(dir, absComponent); err != nil {
		return "", err
	}
	k := fmt.Sprintf("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\ncomponents:\n  - %s\n",
		absOverlay, absComponent)
	return dir, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(k), 0o644)
}

// render builds one kustomization the way `kubectl kustomize` does (default options: files only from
// inside the kustomization root, no plugins).
func render(root string) ([]manifest, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), root)
	if err != nil {
		return nil, err
	}
	var out []manifest
	for _, r := range resources.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.CurId(), err)
		}
		out = append(out, manifest{root: root, name: r.CurId().String(), yaml: y})
	}
	return out, nil
}
