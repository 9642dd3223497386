package webimport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sessionCount is how many sessions the server keeps.
func (e *testEnv) sessionCount() int {
	e.srv.mu.Lock()
	defer e.srv.mu.Unlock()
	return len(e.srv.sessions)
}

// Sessions are capped: cookie-less requests beyond the cap take the place of
// sessions that hold nothing; when every session holds something a new
// visitor gets 429 with Retry-After, and the people already there go on.
func TestSessionCap(t *testing.T) {
	t.Parallel()
	const maxSessions = 5
	e := newEnv(t, func(c *Config) { c.MaxSessions = maxSessions })
	for range 50 {
		res, err := http.Get(e.ts.URL + "/")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
	}
	assert.Equal(t, maxSessions, e.sessionCount(), "empty sessions made room for new ones")

	clients := make([]*client, maxSessions)
	for i := range clients {
		clients[i] = e.client(t)
		clients[i].uploadSample()
	}
	res, err := http.Get(e.ts.URL + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	assert.Equal(t, retryAfter, res.Header.Get("Retry-After"))
	assert.Contains(t, string(body), "too many people are importing")
	assert.Equal(t, maxSessions, e.sessionCount())

	// The people with a session keep working.
	assert.Equal(t, http.StatusOK, clients[0].get("/").status)
	clients[1].uploadSample()
}

// gatedUpload is a multipart upload body that sends its first half, then
// waits for release before sending the rest.
func gatedUpload(t *testing.T, csrf string, content []byte, release <-chan struct{}) (io.Reader, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(t, mw.WriteField("csrf", csrf))
	fw, err := mw.CreateFormFile("file", "slow.csv")
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	b := body.Bytes()
	half := len(b) / 2
	pr, pw := io.Pipe()
	go func() {
		pw.Write(b[:half])
		<-release
		pw.Write(b[half:])
		pw.Close()
	}()
	return pr, mw.FormDataContentType()
}

// An upload counts against the session's limit from its first byte: 30
// concurrent uploads in one session, all held half-sent until the rejected
// ones are answered, give exactly MaxUploads accepted and the rest 429.
func TestUploadCountedAtStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.MaxUploads = 10 })
	c := e.client(t)
	content, err := os.ReadFile(sampleFile)
	require.NoError(t, err)

	const n = 30
	release := make(chan struct{})
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, ct := gatedUpload(t, c.csrf, content, release)
			req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/upload", body)
			if !assert.NoError(t, err) {
				return
			}
			req.Header.Set("Content-Type", ct)
			res, err := c.hc.Do(req)
			if !assert.NoError(t, err) {
				statuses <- 0
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses <- res.StatusCode
		}()
	}
	// The 20 over the limit are answered while every body is half-sent.
	got := map[int]int{}
	for range n - 10 {
		got[<-statuses]++
	}
	assert.Equal(t, map[int]int{http.StatusTooManyRequests: n - 10}, got, "rejected before their bodies")
	close(release)
	wg.Wait()
	close(statuses)
	for s := range statuses {
		got[s]++
	}
	assert.Equal(t, map[int]int{http.StatusTooManyRequests: n - 10, http.StatusOK: 10}, got)
	assert.Len(t, e.files(t), 10)
}

// rawRequest sends raw bytes on a new connection and returns the status of
// the response (0 if the server closed the connection without one).
func rawRequest(t *testing.T, e *testEnv, send func(net.Conn)) int {
	t.Helper()
	u, err := url.Parse(e.ts.URL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	send(conn)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hang fails, it does not block the suite
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// uploadHead is the start of an upload request of the client's session:
// headers and the multipart body up to the file's content.
func uploadHead(c *client, contentLength int, boundary string) string {
	jar := c.hc.Jar.(*cookiejar.Jar)
	u, _ := url.Parse(c.e.ts.URL)
	var cookie string
	for _, ck := range jar.Cookies(u) {
		cookie = ck.Name + "=" + ck.Value
	}
	return fmt.Sprintf("POST /upload HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n",
		u.Host, cookie, boundary, contentLength) +
		fmt.Sprintf("--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\n",
			boundary, c.csrf, boundary)
}

// A Content-Length shorter than the body is the client's error: 400, never
// 500, and nothing is kept.
func TestMalformedUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.client(t)
	const boundary = "XyZ"
	body := "Email\nann@example.com\nbob@example.com\n\r\n--" + boundary + "--\r\n"
	status := rawRequest(t, e, func(conn net.Conn) {
		head := uploadHead(c, 0, boundary)
		// The length counts the head's body part and a few bytes of the file.
		full := head + body
		bodyStart := strings.Index(head, "\r\n\r\n") + 4
		short := len(full) - bodyStart - len(body) + 5
		head = uploadHead(c, short, boundary)
		io.WriteString(conn, head+body)
	})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Empty(t, e.files(t))
	assert.Equal(t, http.StatusOK, c.get("/").status, "the server is fine")
}

// An upload that stalls, or trickles in below the minimum rate, is cut off
// with 408 and its file removed; the slot it held is free again.
func TestSlowUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) {
		c.IdleRead = 300 * time.Millisecond
		c.MinUploadRate = 1000
		c.UploadGrace = 300 * time.Millisecond
		c.MaxUploads = 1
	})
	c := e.client(t)
	const boundary = "XyZ"

	t.Run("stalled", func(t *testing.T) {
		status := rawRequest(t, e, func(conn net.Conn) {
			io.WriteString(conn, uploadHead(c, 1<<20, boundary)+"Email\n")
			// and nothing more
		})
		assert.Equal(t, http.StatusRequestTimeout, status)
	})
	t.Run("trickle", func(t *testing.T) {
		status := rawRequest(t, e, func(conn net.Conn) {
			io.WriteString(conn, uploadHead(c, 1<<20, boundary)+"Email\n")
			go func() {
				// A byte every 100 ms, for at most 100 s: below 1000 B/s.
				for range 1000 {
					if _, err := conn.Write([]byte("a")); err != nil {
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
			}()
		})
		assert.Equal(t, http.StatusRequestTimeout, status)
	})
	assert.Empty(t, e.files(t))
	c.uploadSample() // the slot of the cut-off uploads is free
}

// A session may run MaxRunning imports at once; one more gets 429.
func TestRunningPerSession(t *testing.T) {
	t.Parallel()
	st := &blockingStore{release: make(chan struct{}), entered: make(chan struct{})}
	e := newEnv(t, func(c *Config) {
		st.Store = c.Contacts
		c.Contacts = st
		c.Accounts = nil
		c.MaxRunning = 1
	})
	c := e.client(t)
	first, second := c.uploadSample(), c.uploadSample()
	for _, id := range []string{first, second} {
		c.post("/u/"+id+"/options", url.Values{"mode": {"upsert"}, "region": {"US"}, "accounts": {"off"}})
	}
	run := jobID(t, c.post("/u/"+first+"/run", nil))
	<-st.entered
	e.srv.mu.Lock()
	markers, _ := filepath.Glob(filepath.Join(e.dir, markerPrefix+"*"))
	e.srv.mu.Unlock()
	assert.Len(t, markers, 1, "a running import has its marker")

	res := c.post("/u/"+second+"/run", nil)
	assert.Equal(t, http.StatusTooManyRequests, res.status)
	has(t, res.body, "1 imports of yours are running")

	close(st.release)
	c.waitDone(run)
	markers, _ = filepath.Glob(filepath.Join(e.dir, markerPrefix+"*"))
	assert.Empty(t, markers, "the marker goes when the import ends")
	c.waitDone(jobID(t, c.post("/u/"+second+"/run", nil)))
}

// At start-up the server removes what a crashed run left in its directory
// (uploads, error CSVs; nothing else), and shows an import that was running
// as cut short, to the visitor whose cookie started it.
func TestRestartAfterCrash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"upload-aa.csv", "errors-bb.csv", "keep.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600))
	}
	const sessionID, jobIDv = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	started := time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)
	b, err := json.Marshal(marker{Session: sessionID, Job: jobIDv, File: "big.csv", Started: started})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, markerPrefix+jobIDv+".json"), b, 0o600))

	e := newEnv(t, func(c *Config) { c.Dir = dir })
	e.dir = dir
	assert.Equal(t, []string{"keep.txt"}, e.files(t))

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	u, err := url.Parse(e.ts.URL)
	require.NoError(t, err)
	jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: sessionID, Path: "/"}})
	c := &client{t: t, e: e, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	home := c.get("/")
	has(t, home.body, "big.csv")
	has(t, home.body, stateInterrupted)
	res := c.get("/i/" + jobIDv)
	assert.Equal(t, http.StatusOK, res.status)
	has(t, res.body, "was cut short when the server stopped")

	// Another visitor does not see it.
	assert.Equal(t, http.StatusNotFound, e.client(t).get("/i/"+jobIDv).status)
}

// A bounded load test on loopback: a fixed number of cookie-less requests
// and uploads from many visitors at once, with small caps. The caps hold
// (sessions, files) and the heap after the run is within a fixed bound of
// the heap before it. Not parallel, so that the heap is this test's.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const (
		maxSessions = 20
		visitors    = 40 // each uploads, so at most maxSessions of them get in
		anonymous   = 2000
		workers     = 8
	)
	e := newEnv(t, func(c *Config) { c.MaxSessions = maxSessions; c.MaxUploads = 2 })
	content, err := os.ReadFile(sampleFile)
	require.NoError(t, err)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	jobs := make(chan int)
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 30 * time.Second}
			for i := range jobs {
				var status int
				if i < visitors {
					jar, _ := cookiejar.New(nil)
					vc := &client{t: t, e: e, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
					res, err := vc.hc.Get(e.ts.URL + "/")
					if err == nil {
						page, _ := io.ReadAll(res.Body)
						res.Body.Close()
						status = res.StatusCode
						if status == http.StatusOK {
							vc.csrf = response{body: string(page)}.find(`name="csrf" value="([0-9a-f]+)"`)
							status = vc.upload("load.csv", content).status
						}
					}
				} else {
					res, err := hc.Get(e.ts.URL + "/")
					if err == nil {
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						status = res.StatusCode
					}
				}
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}
		}()
	}
	for i := range visitors + anonymous {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	assert.LessOrEqual(t, e.sessionCount(), maxSessions)
	assert.LessOrEqual(t, len(e.files(t)), maxSessions, "one upload per visitor that got in")
	assert.Zero(t, statuses[0], "every request answered")
	assert.Zero(t, statuses[http.StatusInternalServerError])
	// 200, or 429 when the cap is reached, or 403 for a visitor whose
	// empty session made room for another before its upload (its form
	// token is gone): nothing else.
	assert.Equal(t, visitors+anonymous, statuses[http.StatusOK]+statuses[http.StatusTooManyRequests]+statuses[http.StatusForbidden], statuses)
	assert.LessOrEqual(t, statuses[http.StatusForbidden], visitors)
	// Which of the two refusals a visitor past the cap meets depends on
	// how requests interleave; that the cap turned visitors away does not.
	assert.GreaterOrEqual(t, statuses[http.StatusTooManyRequests]+statuses[http.StatusForbidden], visitors-maxSessions, "the cap was reached")

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("statuses %v, sessions %d, heap %d -> %d bytes", statuses, e.sessionCount(), before.HeapAlloc, after.HeapAlloc)
	assert.Less(t, growth, int64(32<<20), "the heap stays bounded")
}
