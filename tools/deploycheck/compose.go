package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Variables a compose file requires (`${NAME:?message}`, `${NAME?message}`): `config` refuses to render
// without them, so the check gives each a placeholder unless the environment already sets it.
var requiredVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):?\?`)

// docker-compose 1.29 (Debian) predates the Compose Specification's top-level `name` (the project
// name); the check validates everything else and drops that one key.
var projectName = regexp.MustCompile(`(?m)^name:.*$`)

// checkCompose runs `docker-compose config -q` on dir's docker-compose.yml alone, and on it with each
// other docker-compose.*.yml on top (they are overrides, used that way: see docker/README.md). It
// works on a copy of dir, so that relative paths (build contexts, mounted files, env_file) resolve.
func checkCompose(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "docker-compose*.y*ml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no docker-compose files in %s", dir)
	}
	tmp, err := os.MkdirTemp("", "deploycheck-compose-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	copyDir := filepath.Join(tmp, filepath.Base(dir))
	if err := copyWithoutEnv(dir, copyDir); err != nil {
		return nil, err
	}
	env := os.Environ()
	seen := map[string]bool{}
	var base string
	var overrides []string
	for _, f := range files {
		name := filepath.Base(f)
		dt, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range requiredVar.FindAllSubmatch(dt, -1) {
			v := string(m[1])
			if _, set := os.LookupEnv(v); !set && !seen[v] {
				seen[v] = true
				env = append(env, v+"=placeholder-for-the-config-check-0123456789abcdef")
			}
		}
		if err := os.WriteFile(filepath.Join(copyDir, name), projectName.ReplaceAll(dt, nil), 0o644); err != nil {
			return nil, err
		}
		if name == "docker-compose.yml" || name == "docker-compose.yaml" {
			base = name
		} else {
			overrides = append(overrides, name)
		}
	}
	if base == "" {
		return nil, fmt.Errorf("no docker-compose.yml in %s", dir)
	}
	sort.Strings(overrides)
	var problems []string
	sets := [][]string{{base}}
	for _, o := range overrides {
		sets = append(sets, []string{base, o})
	}
	for _, set := range sets {
		args := []string{}
		for _, f := range set {
			args = append(args, "-f", f)
		}
		cmd := exec.Command("docker-compose", append(args, "config", "-q")...)
		cmd.Dir = copyDir
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			if _, notFound := err.(*exec.Error); notFound {
				return nil, fmt.Errorf("docker-compose not found (Debian: apt-get install docker-compose): %w", err)
			}
			problems = append(problems, fmt.Sprintf("docker-compose %s config: %s", strings.Join(args, " "), strings.TrimSpace(out.String())))
		}
	}
	return problems, nil
}

// copyWithoutEnv copies dir's regular files, leaving out a developer's .env (secrets, and settings that
// would make the check's result depend on the machine it runs on).
func copyWithoutEnv(dir, to string) error {
	return filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o700)
		case d.Name() == ".env" || !d.Type().IsRegular():
			return nil
		}
		dt, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, dt, 0o600)
	})
}
