package web

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// DefaultShutdownGrace is how long a shutdown lets requests in flight
// finish: long enough for most downloads in progress, short enough for a
// restart (systemd's TimeoutStopSec must be longer).
const DefaultShutdownGrace = 30 * time.Second

// shutdown stops hs: it accepts no new connection, closes idle ones, lets
// the requests in flight finish within the grace, and then cuts those
// still going, with one log line saying how many. Cutting them is the
// point of a grace, not an error.
func (s *Server) shutdown(hs *http.Server, c *conns) error {
	grace := s.grace
	s.log.Info("shutting down", "grace", grace.String(), "in_flight", c.inFlight())
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	n := c.inFlight()
	hs.Close()
	s.log.Warn("shutdown: the grace is over; cut the requests still in flight", "cut", n, "grace", grace.String())
	return nil
}
