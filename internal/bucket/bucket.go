// Package bucket publishes a static export of the show to an S3-compatible
// object store (AWS S3, Cloudflare R2, Backblaze B2, MinIO, SeaweedFS…) so
// that the bucket, or a CDN in front of it, serves the same bytes and
// headers as readcast serve. It is the one owner of the S3 client library.
//
// A publish never lets a reader see a feed or page that links to an object
// not there yet: content-addressed objects go first, pages next, the feed
// last, and nothing is deleted except by -prune, after the feed, and only
// objects the new feed and pages no longer reference.
package bucket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Target is where a site is published: a bucket and a key prefix in it.
type Target struct {
	Bucket string
	Prefix string // "" or "show" (no slashes at either end)
}

// ParseTarget reads s3://BUCKET[/PREFIX].
func ParseTarget(s string) (Target, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return Target{}, fmt.Errorf("bucket: %q is not s3://BUCKET[/PREFIX]", s)
	}
	return Target{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}, nil
}

func (t Target) String() string {
	if t.Prefix == "" {
		return "s3://" + t.Bucket
	}
	return "s3://" + t.Bucket + "/" + t.Prefix
}

// key is the object key of a site file ("audio/x.mp3").
func (t Target) key(file string) string {
	if t.Prefix == "" {
		return file
	}
	return t.Prefix + "/" + file
}

// Config says how to reach the store. Credentials and the region come from
// the standard AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL) and the shared config files,
// as every AWS tool reads them.
type Config struct {
	// Endpoint is the store's URL for stores other than AWS, e.g.
	// https://ACCOUNT.r2.cloudflarestorage.com; "" uses AWS_ENDPOINT_URL or
	// AWS itself. With an endpoint, buckets are addressed by path.
	Endpoint string
}

// Client is a connection to one store, counting what it sends.
type Client struct {
	s3       *s3.Client
	endpoint string // for error messages: where the store is
	requests atomic.Int64
	sent     atomic.Int64
}

// Attempts is how often a request is tried: the SDK's standard retryer
// backs off exponentially (with jitter) on 5xx, throttling, connection
// errors and timeouts.
const Attempts = 5

// New makes a client of the store cfg names.
func New(ctx context.Context, cfg Config) (*Client, error) {
	c := &Client{}
	// Timeouts bound a stalled store: a connection must open within 10 s
	// and a response start within 2 minutes of its request being sent
	// (a whole upload's body is sent before that clock starts).
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 10 * time.Second }).
		WithTransportOptions(func(tr *http.Transport) { tr.ResponseHeaderTimeout = 2 * time.Minute })
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithAPIOptions([]func(*middleware.Stack) error{c.count}),
		config.WithRetryMaxAttempts(Attempts),
		// Only the checksums S3 requires: the SDK's newer default trailing
		// checksums are refused by several S3-compatible stores.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if cfg.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(cfg.Endpoint))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("bucket: reading the AWS configuration: %w", err)
	}
	custom := awsCfg.BaseEndpoint != nil
	if custom {
		c.endpoint = *awsCfg.BaseEndpoint
		if awsCfg.Region == "" {
			// Stores other than AWS ignore the region, but SigV4 signs one.
			awsCfg.Region = "us-east-1"
		}
	} else {
		if awsCfg.Region == "" {
			return nil, errors.New("bucket: no region: set AWS_REGION (or give -endpoint for a store other than AWS)")
		}
		c.endpoint = "AWS S3 (" + awsCfg.Region + ")"
	}
	c.s3 = s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = custom })
	return c, nil
}

// Requests is the number of HTTP requests sent so far, retries included.
func (c *Client) Requests() int64 { return c.requests.Load() }

// BytesSent is the number of request body bytes sent so far.
func (c *Client) BytesSent() int64 { return c.sent.Load() }

// count is a middleware at the end of the SDK's finalize step, after its
// retry loop, so it sees every attempt. (Counting in a wrapping HTTP client
// would break AWS_CA_BUNDLE, which needs the SDK's own client.)
func (c *Client) count(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("readcastCount",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.requests.Add(1)
			if req, ok := in.Request.(*smithyhttp.Request); ok && req.ContentLength > 0 {
				c.sent.Add(req.ContentLength)
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// explain turns the store's error into one that names the cause and what
// to do about it.
func (c *Client) explain(t Target, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed":
			return fmt.Errorf("the store at %s refused the credentials (%s: %s): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)", c.endpoint, api.ErrorCode(), api.ErrorMessage())
		case "AccessDenied", "Forbidden":
			return fmt.Errorf("the store at %s denied access to %s (%s: %s): the credentials need to list, read, write and (for -prune) delete objects in the bucket", c.endpoint, t, api.ErrorCode(), api.ErrorMessage())
		case "NoSuchBucket":
			return fmt.Errorf("bucket %q does not exist at %s: create it first (e.g. aws s3 mb s3://%s), or check -to and -endpoint", t.Bucket, c.endpoint, t.Bucket)
		}
		return fmt.Errorf("the store at %s answered %s: %s", c.endpoint, api.ErrorCode(), api.ErrorMessage())
	}
	// A network error: name the innermost cause (the SDK's wrapping of it
	// says little more than "request send failed").
	var cause error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &dnsErr):
		cause = dnsErr
	case errors.As(err, &opErr):
		cause = opErr
	case errors.As(err, &netErr):
		cause = netErr
	}
	if cause != nil {
		return fmt.Errorf("cannot reach the store at %s after %d attempts: %v: check -endpoint (or AWS_ENDPOINT_URL) and the network", c.endpoint, Attempts, cause)
	}
	var signing *v4.SigningError
	if errors.As(err, &signing) { // the SDK found no credentials to sign with

		return fmt.Errorf("no usable credentials for %s (%w): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE", c.endpoint, err)
	}
	return err
}
