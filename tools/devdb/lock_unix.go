//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive advisory lock on <dir>/devdb.lock so that two devdb
// processes never share one data directory. The lock is released by the kernel
// when the process exits, however it exits.
func lockDir(dir string) (func(), error) {
	p := filepath.Join(dir, "devdb.lock")

	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open lock file: %s", err)
	}

	if err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory %s is in use by another devdb process (lock %s: %s)", dir, p, err)
	}

	return func() { f.Close() }, nil
}
