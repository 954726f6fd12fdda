package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver FerretDB itself uses
)

// FerretDB v1.24's SQLite backend pushes a filter on an exact _id down to SQLite as
// `_ferretdb_sjson->'$._id' = ?`, but creates the _id index on `_ferretdb_sjson->"_id"`.
// SQLite uses an expression index only for the same expression, so every find, update and upsert by
// _id would read the whole table. This sweep adds an index on the expression the queries use to every
// collection table it finds. FerretDB never sees it (its own index list lives in its metadata table),
// and dropping a collection drops the table with its indexes.
//
// Each sweep asks sqlite_master which tables lack the index rather than remembering which it has
// indexed: FerretDB's table names are deterministic (collection name and a hash of it), so a collection
// dropped and re-created, or a database dropped (its file removed) and re-created, comes back under
// the same file and table name without the index. The question costs what listing the tables did.
const idExpr = `_ferretdb_sjson->'$._id'`

// idIndexSuffix follows FerretDB's own "<table>_<index name>" naming.
const idIndexSuffix = "__id_expr"

// indexIDs sweeps the data directory every interval until ctx ends.
func indexIDs(ctx context.Context, dir string, interval time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			if err := indexFile(ctx, file); err != nil && ctx.Err() == nil {
				logger.Warn("cannot index _id", slog.String("file", file), slog.String("err", err.Error()))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func indexFile(ctx context.Context, file string) error {
	// mode=rw: never create the file, so a database FerretDB just dropped does not come back empty.
	q := url.Values{"_pragma": {"busy_timeout(10000)"}, "mode": {"rw"}}
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(file), OmitHost: true, RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return err
	}
	defer db.Close()

	rows, err := db.QueryContext(ctx, `SELECT t.name FROM sqlite_master t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
		AND NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND i.tbl_name = t.name AND i.name = t.name || ?)`,
		idIndexSuffix)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err = rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err = rows.Err(); err != nil {
		return err
	}

	for _, table := range tables {
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, table+idIndexSuffix, table, idExpr)
		if _, err = db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}
