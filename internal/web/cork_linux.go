//go:build linux

package web

import "syscall"

// setCork sets or clears TCP_CORK on a TCP socket (tcp(7)).
func setCork(raw syscall.RawConn, on bool) {
	v := 0
	if on {
		v = 1
	}
	raw.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
	})
}
