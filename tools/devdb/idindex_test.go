package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// The sweep runs beside a real FerretDB, as in main, so the tests see FerretDB's own table names
// and its dropDatabase (which removes the file): both come back under the same names.

const testDB = "idindex"

func TestIDIndexComesBackAfterCollectionDrop(t *testing.T) {
	dir, client := startWithSweep(t)
	coll := client.Database(testDB).Collection("things")

	insertOne(t, coll)
	waitForIDIndex(t, dir, "things")

	if err := coll.Drop(context.Background()); err != nil {
		t.Fatal(err)
	}
	insertOne(t, coll)
	waitForIDIndex(t, dir, "things")
}

func TestIDIndexComesBackAfterDropDatabase(t *testing.T) {
	dir, client := startWithSweep(t)
	db := client.Database(testDB)

	insertOne(t, db.Collection("things"))
	waitForIDIndex(t, dir, "things")

	if err := db.Drop(context.Background()); err != nil {
		t.Fatal(err)
	}
	insertOne(t, db.Collection("things"))
	waitForIDIndex(t, dir, "things")
}

// startWithSweep starts FerretDB on a fresh data directory with the sweep every 20 ms and connects.
func startWithSweep(t *testing.T) (string, *mongo.Client) {
	t.Helper()
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/", OmitHost: true}).String(),
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(stopped)
	}()
	go indexIDs(ctx, dir, 20*time.Millisecond, logger)

	client, err := mongo.Connect(context.Background(), options.Client().ApplyURI(f.MongoDBURI()))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: the client goes before the server stops.
	t.Cleanup(func() {
		cancel()
		<-stopped
	})
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return dir, client
}

func insertOne(t *testing.T, coll *mongo.Collection) {
	t.Helper()
	if _, err := coll.InsertOne(context.Background(), bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 1}}); err != nil {
		t.Fatal(err)
	}
}

// waitForIDIndex waits until SQLite plans FerretDB's lookup by _id on the collection's table with
// the sweep's index: what makes a find, update or upsert by _id skip the scan.
func waitForIDIndex(t *testing.T, dir, collection string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var plan string
	var err error
	for time.Now().Before(deadline) {
		if plan, err = idLookupPlan(dir, collection); err == nil && strings.Contains(plan, idIndexSuffix) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the lookup by _id on %q does not use the %s index: plan %q, err %v", collection, idIndexSuffix, plan, err)
}

func idLookupPlan(dir, collection string) (string, error) {
	q := url.Values{"_pragma": {"busy_timeout(10000)"}, "mode": {"ro"}}
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(dir, testDB+".sqlite")), OmitHost: true, RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return "", err
	}
	defer db.Close()

	var table string
	if err = db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&table); err != nil {
		return "", err
	}
	rows, err := db.Query(fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE %s = ?`, table, idExpr), `"a"`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err = rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; "), rows.Err()
}
