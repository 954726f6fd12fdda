// Command devdb is the project's embedded development/test database:
// FerretDB v1 (MongoDB wire protocol) on SQLite, embedded through the
// library package github.com/FerretDB/FerretDB/ferretdb.
//
// It always listens on 127.0.0.1 only. Start it through
// `node tools/devdb/devdb.mjs start` (or `npm run devdb`), which builds it first.
//
// Flags (each one can also be set with the environment variable in brackets;
// a flag given on the command line wins):
//
//	--port N            TCP port on 127.0.0.1, 0 picks a free one [DEVDB_PORT] (default 27018)
//	--data-dir DIR      directory for the SQLite files [DEVDB_DATA_DIR] (default <repo>/.data/devdb)
//	--log-level LEVEL   debug, info, warn or error [DEVDB_LOG_LEVEL] (default error)
//	--exit-on-stdin-close
//	                    stop when stdin reaches EOF (used by devdb.mjs so that the
//	                    database does not outlive a crashed parent process)
//
// Once the listener is bound, exactly one line is printed to stdout:
//
//	devdb listening on 127.0.0.1:27018 (data: /abs/path/.data/devdb)
//
// Logs go to stderr. SIGINT/SIGTERM stop it gracefully (exit status 0).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// pidFileName is written into the data directory while devdb runs
// and removed on a graceful stop; `devdb.mjs stop|status` read it.
const pidFileName = "devdb.pid.json"

type pidFile struct {
	PID     int    `json:"pid"`
	Port    int    `json:"port"`
	URI     string `json:"uri"`
	DataDir string `json:"dataDir"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "devdb: %s\n", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func run() error {
	defPort, err := strconv.Atoi(envOr("DEVDB_PORT", "27018"))
	if err != nil {
		return fmt.Errorf("invalid DEVDB_PORT: %s", err)
	}

	port := flag.Int("port", defPort, "TCP port on 127.0.0.1 (0 = pick a free port) [DEVDB_PORT]")
	dataDir := flag.String("data-dir", envOr("DEVDB_DATA_DIR", ""), "data directory (default <repo>/.data/devdb) [DEVDB_DATA_DIR]")
	logLevel := flag.String("log-level", envOr("DEVDB_LOG_LEVEL", "error"), "log level: debug, info, warn, error [DEVDB_LOG_LEVEL]")
	exitOnStdinClose := flag.Bool("exit-on-stdin-close", false, "stop when stdin is closed")
	flag.Parse()

	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", flag.Args())
	}

	if *port < 0 || *port > 65535 {
		return fmt.Errorf("invalid port %d", *port)
	}

	var level slog.Level
	if err = level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("invalid log level %q: %s", *logLevel, err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	dir := *dataDir
	if dir == "" {
		dir = defaultDataDir()
	}

	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}

	// FerretDB builds per-database SQLite URIs by plain string concatenation, so SQLite
	// would misread these characters (the files would land elsewhere or fail to open).
	if strings.ContainsAny(dir, "?#%") {
		return fmt.Errorf("data directory %q must not contain '?', '#' or '%%'", dir)
	}

	// The SQLite backend requires an existing directory.
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create data directory: %s", err)
	}

	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()

	// file:/abs/dir/ (spaces are fine)
	//
	// SQLite's in-memory mode (`?mode=memory`) is deliberately not offered: FerretDB v1
	// limits such a pool to one connection and an upsert/update then deadlocks
	// (a SELECT cursor holds the only connection while the update waits for a transaction).
	sqliteURL := &url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/", OmitHost: true}

	// Telemetry: the embeddable package never creates the telemetry reporter
	// (internal/util/telemetry is not even linked in) and it explicitly marks
	// telemetry as disabled and locked in its in-memory state, so nothing is
	// ever sent anywhere. There is no Config field or environment variable for it.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{
			TCP: net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)),
		},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL.String(),
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *exitOnStdinClose {
		ctx2, cancel := context.WithCancel(ctx)
		defer cancel()
		ctx = ctx2

		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			logger.Info("stdin closed, stopping")
			cancel()
		}()
	}

	// ferretdb.New has already bound the TCP listener, so MongoDBURI does not block.
	uri := f.MongoDBURI()

	actualPort := *port
	if u, err := url.Parse(uri); err == nil {
		if p, err := strconv.Atoi(u.Port()); err == nil {
			actualPort = p
		}
	}

	pidPath := filepath.Join(dir, pidFileName)
	b, _ := json.Marshal(pidFile{PID: os.Getpid(), Port: actualPort, URI: uri, DataDir: dir})
	if err = os.WriteFile(pidPath, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %s", pidPath, err)
	}
	defer os.Remove(pidPath)

	fmt.Printf("devdb listening on 127.0.0.1:%d (data: %s)\n", actualPort, dir)

	go indexIDs(ctx, dir, time.Second, logger)

	// Run returns once ctx is canceled and all connections and the backend are closed.
	_ = f.Run(ctx)

	fmt.Fprintln(os.Stderr, "devdb stopped")

	return nil
}

// defaultDataDir returns <repo>/.data/devdb.
//
// The repository is found from the executable location (<repo>/.data/bin/devdb),
// then by walking up from the working directory to the directory that holds
// tools/devdb/go.mod; the last resort is ./.data/devdb.
func defaultDataDir() string {
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			binDir := filepath.Dir(exe)
			if filepath.Base(binDir) == "bin" && filepath.Base(filepath.Dir(binDir)) == ".data" {
				return filepath.Join(filepath.Dir(binDir), "devdb")
			}
		}
	}

	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; {
			if _, err := os.Stat(filepath.Join(d, "tools", "devdb", "go.mod")); err == nil {
				return filepath.Join(d, ".data", "devdb")
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}

	return filepath.Join(".data", "devdb")
}
