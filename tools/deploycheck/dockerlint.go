package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	digest "github.com/opencontainers/go-digest"
)

// offlineImages answers every base image lookup with an empty linux/amd64 config: the linter then runs
// every rule `docker build --check` runs without reaching a registry (none is reachable from CI).
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, "", []byte(`{"architecture":"amd64","os":"linux","config":{}}`), nil
}

// lintDockerfile runs BuildKit's Dockerfile checks (the rules of `docker build --check`, all targets)
// and returns one line per warning.
func lintDockerfile(path string) ([]string, error) {
	dt, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	source := llb.NewSourceMap(nil, filepath.Base(path), "Dockerfile", dt)
	source.Definition = &llb.Definition{}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		SourceMap:    source,
		MetaResolver: offlineImages{},
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, w := range res.Warnings {
		var line int32
		if r := w.Location.GetRanges(); len(r) > 0 {
			line = r[0].GetStart().GetLine()
		}
		out = append(out, fmt.Sprintf("%s:%d: %s: %s (%s)", path, line, w.RuleName, w.Detail, w.URL))
	}
	if res.Error != nil {
		out = append(out, fmt.Sprintf("%s: %s", path, res.Error.Message))
	}
	return out, nil
}
