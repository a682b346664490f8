// Package buckettest runs a real S3 server for tests: SeaweedFS's
// `weed server -s3`, which scripts/setup builds once and caches, started
// on 127.0.0.1 on free ports with a temporary data directory and stopped
// when the test ends. Anonymous clients may read (as the public behind a
// CDN does); one identity may do everything.
package buckettest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/readcast/readcast/internal/testtool"
)

// The identity the tests publish with.
const (
	AccessKey = "readcast-test-key"
	SecretKey = "readcast-test-secret-0123456789abcdef"
)

// Server is a running SeaweedFS with its S3 gateway.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT, the S3 API
	client   *s3.Client
	logFile  string
}

// Weed finds the weed binary: on PATH, else where scripts/setup caches it.
// It skips the test (fails it under CI) when there is none.
func Weed(tb testing.TB) string {
	tb.Helper()
	if p, err := exec.LookPath("weed"); err == nil {
		return p
	}
	if dir, err := os.UserCacheDir(); err == nil {
		p := filepath.Join(dir, "readcast", "bin", "weed")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := "weed (SeaweedFS) not found on PATH nor in the user cache: run scripts/setup, which builds it"
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// Start runs a SeaweedFS server for the test and waits until its S3
// gateway stores objects.
func Start(tb testing.TB) *Server {
	tb.Helper()
	weed := Weed(tb)
	dir := tb.TempDir()
	p := freePorts(tb, 8)
	args, err := weedArgs(dir, p)
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Endpoint: "http://127.0.0.1:" + p[6], logFile: filepath.Join(dir, "weed.log")}
	logFile, err := os.Create(s.logFile)
	if err != nil {
		tb.Fatal(err)
	}
	defer logFile.Close() // the child has its own copy
	cmd := exec.Command(weed, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		// weed puts a unix socket for each gRPC port in /tmp, whatever
		// its flags say, and leaves them there.
		for i, name := range map[int]string{1: "master", 3: "volume", 5: "filer", 7: "s3"} {
			os.Remove(fmt.Sprintf("/tmp/seaweedfs-%s-grpc-%s.sock", name, p[i]))
		}
	})
	s.client = s3.New(s3.Options{
		BaseEndpoint: aws.String(s.Endpoint), Region: "us-east-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})

	s.waitReady(tb, exited, &waitErr)
	return s
}

// waitReady waits until an object can be stored: the gateway answers
// before the volume server has joined the master. waitErr is read once
// exited is closed.
func (s *Server) waitReady(tb testing.TB, exited <-chan struct{}, waitErr *error) {
	tb.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	ctx := context.Background()
	for {
		select {
		case <-exited:
			tb.Fatalf("weed server exited: %v\n%s", *waitErr, s.Log())
		default:
		}
		err := s.tryStore(ctx)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("weed server did not store an object within 2 minutes: %v\n%s", err, s.Log())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// weedArgs writes the S3 identities and makes the data directory in dir,
// and returns weed's arguments with the ports p (8 of them).
func weedArgs(dir string, p []string) ([]string, error) {
	conf := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`{"identities": [
  {"name": "anonymous", "actions": ["Read"]},
  {"name": "readcast", "credentials": [{"accessKey": %q, "secretKey": %q}], "actions": ["Admin", "Read", "List", "Tagging", "Write"]}
]}`, AccessKey, SecretKey)), 0o600); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		return nil, err
	}
	// Every bucket is a collection that grows 7 volumes at its first
	// write; small sparse volumes, and room for many buckets.
	return []string{"-logdir=" + dir, "server",
		"-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port=" + p[0], "-master.port.grpc=" + p[1],
		"-volume.port=" + p[2], "-volume.port.grpc=" + p[3], "-volume.max=300",
		"-master.volumeSizeLimitMB=64", "-master.telemetry=false",
		"-filer", "-filer.port=" + p[4], "-filer.port.grpc=" + p[5],
		"-filer.localSocket=" + filepath.Join(dir, "filer.sock"),
		"-s3", "-s3.port=" + p[6], "-s3.port.grpc=" + p[7], "-s3.config=" + conf,
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.autoCreateBucket=false",
		"-s3.localSocket=" + filepath.Join(dir, "s3.sock"),
	}, nil
}

func (s *Server) tryStore(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	const probe = "buckettest-ready"
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(probe)}); err != nil {
		if _, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(probe)}); err != nil {
			return err
		}
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(probe), Key: aws.String("ready"), Body: strings.NewReader("ready")})
	return err
}

// Log is what the server printed.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logFile)
	return string(b)
}

// Client is an S3 client of the server with the test identity.
func (s *Server) Client() *s3.Client { return s.client }

// CreateBucket makes a bucket.
func (s *Server) CreateBucket(tb testing.TB, name string) {
	tb.Helper()
	if _, err := s.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("creating bucket %s: %v", name, err)
	}
}

// Put stores an object as another tool would.
func (s *Server) Put(tb testing.TB, bucket, key, body string) {
	tb.Helper()
	if _, err := s.client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
		tb.Fatalf("putting %s/%s: %v", bucket, key, err)
	}
}

// URL is the public (anonymous) URL of a key in a bucket.
// With an empty key it is the bucket's URL, without a trailing slash.
func (s *Server) URL(bucket, key string) string {
	u := s.Endpoint + "/" + bucket
	if key = strings.Trim(key, "/"); key != "" {
		u += "/" + key
	}
	return u
}

// Object is an object as listed.
type Object struct {
	Size     int64
	Modified time.Time
}

// Objects lists a bucket.
func (s *Server) Objects(tb testing.TB, bucket string) map[string]Object {
	tb.Helper()
	out := map[string]Object{}
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			tb.Fatalf("listing bucket %s: %v", bucket, err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = Object{Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)}
		}
	}
	return out
}

// Env is the environment of a readcast process that publishes to the
// server: the test identity, and nothing read from the machine's own AWS
// configuration (nor its instance metadata service).
func (s *Server) Env(accessKey, secretKey string) []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + accessKey, "AWS_SECRET_ACCESS_KEY=" + secretKey, "AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL=", "AWS_PROFILE=", "AWS_SESSION_TOKEN=",
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true",
		"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
	}
}

// Setenv puts Env, with the test identity, into this process's
// environment for the rest of the test, for code that reads it (bucket.New).
func (s *Server) Setenv(tb testing.TB) {
	for _, kv := range s.Env(AccessKey, SecretKey) {
		k, v, _ := strings.Cut(kv, "=")
		tb.Setenv(k, v)
	}
}

// Get fetches a URL anonymously, without compression, and returns the
// response with its body read.
func Get(tb testing.TB, method, url string, header map[string]string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: time.Minute}).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	return resp, b.Bytes()
}

// freePorts finds n free ports on 127.0.0.1 (testtool.FreePorts: outside
// the ephemeral range, since weed binds them seconds later).
func freePorts(tb testing.TB, n int) []string {
	tb.Helper()
	var ports []string
	for _, p := range testtool.FreePorts(tb, n) {
		ports = append(ports, strconv.Itoa(p))
	}
	return ports
}
