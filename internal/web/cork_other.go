//go:build !linux

package web

import "syscall"

// setCork does nothing outside Linux: TCP_CORK is Linux's, and the BSDs'
// TCP_NOPUSH does not send what it held back when it is cleared. Answers
// are the same, in more packets.
func setCork(syscall.RawConn, bool) {}
