package align

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"

	"github.com/readcast/readcast/internal/audio"
)

// Decoding an MP3 costs more than everything else alignment does (go-mp3
// runs at 100-300× real time on one core), so long files are decoded in
// parts on all cores. A part starts at a frame boundary found by
// audio.Probe and is decoded as an MP3 of its own; its first frames are
// thrown away, because the bit reservoir and the filterbanks need a few
// frames of history, and it owns the feature frames from there to the
// next part. The part's samples are placed on the player's clock from its
// first frame's index and the file's gapless trim, to within half a sample.

const (
	// partSeconds is the length of audio a worker decodes at a time: long
	// enough that the warm-up frames cost nothing, short enough that the
	// cores share the work evenly.
	partSeconds = 90
	// minParallel is the shortest file worth splitting.
	minParallel = 60
)

// decodeFeatures decodes the MP3 r (size bytes), which audio.Probe
// described as info, and returns its features (not yet normalized).
func decodeFeatures(ctx context.Context, r io.ReaderAt, size int64, info audio.Info, workers int, progress func(done, total float64)) (*features, error) {
	total := (info.Samples()*Rate + int64(info.SampleRate) - 1) / int64(info.SampleRate)
	ft := newFeatures(framesFor(total), true)
	var parts []part
	if workers > 1 && info.Duration >= minParallel {
		var err error
		parts, err = splitParts(r, size, info, ft.n)
		if err != nil {
			parts = nil // decode in one piece
		}
	}
	var decoded atomic.Int64 // samples at Rate, for progress
	report := func(k int) {
		if progress != nil {
			// Parts decode a little more than they own: never claim the
			// end before it is there.
			progress(min(float64(decoded.Add(int64(k)))/Rate, 0.99*info.Duration), info.Duration)
		}
	}
	if parts == nil {
		p, err := audio.Decode(io.NewSectionReader(r, 0, size), Rate)
		if err != nil {
			return nil, err
		}
		fe := newFrontEnd(ft, total, 0, ft.n)
		if err := pump(ctx, p, fe, 0, report); err != nil {
			return nil, err
		}
		return ft, nil
	}
	jobs := make(chan part)
	errs := make(chan error, len(parts))
	var wg sync.WaitGroup
	for range min(workers, len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pt := range jobs {
				errs <- decodePart(ctx, r, pt, ft, total, report)
			}
		}()
	}
	for _, pt := range parts {
		jobs <- pt
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ft, nil
}

// part is a stretch of an MP3 that one worker decodes.
type part struct {
	from, to int64 // bytes: frame boundaries
	g0       int64 // sample (at Rate, on the player's clock) of the part's first decoded sample
	frames   span  // feature frames it owns
}

// splitParts cuts the audio frames of the file into parts of about
// partSeconds at frame boundaries.
func splitParts(r io.ReaderAt, size int64, info audio.Info, nFrames int) ([]part, error) {
	spf, skip := info.SamplesPerFrame, info.LeadIn()
	audioBytes := size - info.AudioStart
	bytesPerFrame := float64(audioBytes) / float64(info.Frames)
	k := int(math.Ceil(info.Duration / partSeconds))
	if k < 2 {
		return nil, errors.New("too short to split")
	}
	// Warm-up frames: the bit reservoir reaches back up to 511 bytes, and
	// the synthesis filterbank and the IMDCT overlap need two more frames.
	warm := min(64, int(math.Ceil(511/bytesPerFrame))+4)
	// Frame boundaries near equally spaced offsets.
	starts := []int64{info.AudioStart}
	for i := 1; i < k; i++ {
		at := info.AudioStart + int64(float64(audioBytes)*float64(i)/float64(k))
		s, err := frameNear(r, size, at)
		if err != nil {
			return nil, err
		}
		if s <= starts[len(starts)-1] {
			continue
		}
		starts = append(starts, s)
	}
	// Frame index of each start, by counting the frames between starts.
	index := make([]int, len(starts))
	for i := 1; i < len(starts); i++ {
		in, err := audio.Probe(io.NewSectionReader(r, starts[i-1], starts[i]-starts[i-1]), starts[i]-starts[i-1])
		if err != nil || in.AudioStart != 0 {
			return nil, fmt.Errorf("part %d: %v", i, err)
		}
		index[i] = index[i-1] + in.Frames
	}
	last := starts[len(starts)-1]
	in, err := audio.Probe(io.NewSectionReader(r, last, size-last), size-last)
	if err != nil || index[len(index)-1]+in.Frames != info.Frames {
		return nil, errors.New("frame count disagrees with the whole file's")
	}
	rate := float64(info.SampleRate)
	owned := func(i int) int { // first feature frame part i owns
		if i == 0 {
			return 0
		}
		t := float64((index[i]+warm)*spf-skip) / rate
		return min(nFrames, int(math.Ceil(t*100)))
	}
	parts := make([]part, len(starts))
	for i, s := range starts {
		pt := part{from: s, to: size}
		if i+1 < len(starts) {
			end, err := frameNear(r, size, starts[i+1]+int64(float64(warm+4)*bytesPerFrame*1.5))
			if err != nil || end >= size {
				end = size
			}
			pt.to = end
		}
		pt.g0 = int64(math.Round(float64(index[i]*spf-skip) / rate * Rate))
		pt.frames = span{owned(i), nFrames}
		if i+1 < len(starts) {
			pt.frames.end = owned(i + 1)
		}
		parts[i] = pt
	}
	return parts, nil
}

// frameNear returns the offset of the first frame at or after at.
func frameNear(r io.ReaderAt, size, at int64) (int64, error) {
	if at >= size {
		return size, nil
	}
	n := min(size-at, 64<<10)
	in, err := audio.Probe(io.NewSectionReader(r, at, n), n)
	if err != nil && !errors.Is(err, audio.ErrTruncated) {
		return 0, err
	}
	return at + in.AudioStart, nil
}

// decodePart decodes one part into the frames it owns.
func decodePart(ctx context.Context, r io.ReaderAt, pt part, ft *features, total int64, report func(int)) error {
	if pt.frames.end <= pt.frames.start {
		return nil
	}
	p, err := audio.Decode(io.NewSectionReader(r, pt.from, pt.to-pt.from), Rate)
	if err != nil {
		return err
	}
	fe := newFrontEnd(ft, total, pt.frames.start, pt.frames.end)
	return pump(ctx, p, fe, pt.g0, report)
}

// pump reads p into fe until fe has its frames or p ends.
func pump(ctx context.Context, p *audio.PCM, fe *frontEnd, g0 int64, report func(int)) error {
	buf := make([]float32, 8192)
	g := g0
	for !fe.done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := p.Read(buf)
		if n > 0 {
			fe.feed(g, buf[:n])
			g += int64(n)
			report(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	fe.finish()
	return nil
}

// span is a run of frames [start, end).
type span struct{ start, end int }
