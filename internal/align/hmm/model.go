// Package hmm is readcast's acoustic-model forced aligner: it reads a CMU
// Sphinx continuous acoustic model (phonetically tied mixtures), computes
// the front end the model was trained with, scores senones and finds the
// most likely path of a text's phones through a recording with a
// time-synchronous Viterbi search. Only internal/align uses it.
//
// The file formats are those of SphinxBase and PocketSphinx (bin_mdef.c,
// ms_gauden.c, ptm_mgau.c, tmat.c); the code is written from their
// descriptions.
package hmm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
)

// States is the number of emitting states of every phone of the models
// this package reads (3-state left-to-right HMMs).
const States = 3

// Model is an acoustic model, ready to score.
type Model struct {
	// Phones are the context-independent phone names; their index is a
	// phone's id. Fillers marks the noise phones (SIL, +NSN+, +SPN+…).
	Phones  []string
	Fillers []bool
	Sil     int
	phoneID map[string]int

	// triphones maps (base, left, right, word position) to a senone
	// sequence and transition matrix.
	triphones map[triKey]unit
	ci        []unit // the context-independent unit of each phone

	nSen   int
	senCB  []int16 // codebook of each senone (its base phone)
	nCB    int     // codebooks
	nDens  int     // Gaussians per codebook and stream
	stream [3]int  // stream widths: 13, 13, 13
	// Gaussians, per codebook and stream, in groups of four (packGaussians).
	gau [][3][]float32
	// mixw holds the quantized mixture weights, senone by senone, then
	// stream and density (a senone's weights in one stretch of 384
	// bytes); weightLog[q] is the natural log of weight q.
	mixw      []uint8
	weightLog [256]float32

	tmat [][States][States + 1]float32 // log transition probabilities

	Params Params
}

// unit is an HMM: its senones and transition matrix.
type unit struct {
	sen  [States]int32
	tmat int32
}

type triKey struct {
	base, left, right int16
	pos               byte
}

// Word positions of a phone, as mdef spells them.
const (
	PosInternal = 0
	PosBegin    = 1
	PosEnd      = 2
	PosSingle   = 3
)

// Params are the front end's parameters, from feat.params.
type Params struct {
	LowerF, UpperF float64
	NFilt          int
	Lifter         int
	CMNInit        []float64
}

// Load reads the model in directory dir of fsys (feat.params, mdef, means,
// variances, sendump, transition_matrices).
func Load(fsys fs.FS, dir string) (*Model, error) {
	read := func(name string) ([]byte, error) {
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("acoustic model: %w", err)
		}
		return b, nil
	}
	m := &Model{}
	b, err := read("feat.params")
	if err != nil {
		return nil, err
	}
	if m.Params, err = parseFeatParams(b); err != nil {
		return nil, err
	}
	if b, err = read("mdef"); err != nil {
		return nil, err
	}
	if err := m.readMdef(b); err != nil {
		return nil, fmt.Errorf("acoustic model: mdef: %w", err)
	}
	means, err := read("means")
	if err != nil {
		return nil, err
	}
	vars, err := read("variances")
	if err != nil {
		return nil, err
	}
	if err := m.readGaussians(means, vars); err != nil {
		return nil, fmt.Errorf("acoustic model: %w", err)
	}
	if b, err = read("sendump"); err != nil {
		return nil, err
	}
	if err := m.readSendump(b); err != nil {
		return nil, fmt.Errorf("acoustic model: sendump: %w", err)
	}
	if b, err = read("transition_matrices"); err != nil {
		return nil, err
	}
	if err := m.readTmat(b); err != nil {
		return nil, fmt.Errorf("acoustic model: transition_matrices: %w", err)
	}
	return m, nil
}

func parseFeatParams(b []byte) (Params, error) {
	p := Params{LowerF: 133.33334, UpperF: 6855.4976, NFilt: 40}
	f := strings.Fields(string(b))
	for i := 0; i+1 < len(f); i += 2 {
		k, v := f[i], f[i+1]
		var err error
		switch k {
		case "-lowerf":
			p.LowerF, err = strconv.ParseFloat(v, 64)
		case "-upperf":
			p.UpperF, err = strconv.ParseFloat(v, 64)
		case "-nfilt":
			p.NFilt, err = strconv.Atoi(v)
		case "-lifter":
			p.Lifter, err = strconv.Atoi(v)
		case "-cmninit":
			for _, s := range strings.Split(v, ",") {
				x, e := strconv.ParseFloat(s, 64)
				if e != nil {
					err = e
				}
				p.CMNInit = append(p.CMNInit, x)
			}
		case "-transform":
			if v != "dct" {
				err = errors.New("only -transform dct is supported")
			}
		case "-feat":
			if v != "1s_c_d_dd" {
				err = errors.New("only -feat 1s_c_d_dd is supported")
			}
		case "-model":
			if v != "ptm" {
				err = errors.New("only -model ptm is supported")
			}
		case "-cmn":
			if v != "batch" && v != "current" {
				err = errors.New("only batch CMN is supported")
			}
		}
		if err != nil {
			return p, fmt.Errorf("acoustic model: feat.params %s %s: %w", k, v, err)
		}
	}
	if p.NFilt < 13 || p.LowerF <= 0 || p.UpperF <= p.LowerF || p.UpperF > 8000 {
		return p, errors.New("acoustic model: feat.params: bad filterbank")
	}
	return p, nil
}

// PhoneID returns the id of a context-independent phone.
func (m *Model) PhoneID(name string) (int, bool) {
	id, ok := m.phoneID[name]
	return id, ok
}

// Unit returns the HMM of phone base between left and right at word
// position pos, backing off to the context-independent phone.
func (m *Model) unit(base, left, right int, pos byte) unit {
	if m.Fillers[base] || left < 0 || right < 0 {
		return m.ci[base]
	}
	if m.Fillers[left] {
		left = m.Sil
	}
	if m.Fillers[right] {
		right = m.Sil
	}
	if u, ok := m.triphones[triKey{int16(base), int16(left), int16(right), pos}]; ok {
		return u
	}
	// Other word positions of the same triphone are the next best.
	for _, p := range []byte{PosInternal, PosBegin, PosEnd, PosSingle} {
		if u, ok := m.triphones[triKey{int16(base), int16(left), int16(right), p}]; ok {
			return u
		}
	}
	return m.ci[base]
}

type reader struct {
	b    []byte
	off  int
	swap bool
	err  error
}

func (r *reader) i32() int32 {
	if r.err != nil || r.off+4 > len(r.b) {
		r.err = errors.New("truncated")
		return 0
	}
	var v uint32
	if r.swap {
		v = binary.BigEndian.Uint32(r.b[r.off:])
	} else {
		v = binary.LittleEndian.Uint32(r.b[r.off:])
	}
	r.off += 4
	return int32(v)
}

func (r *reader) f32s(n int) []float32 {
	if r.err != nil || n < 0 || r.off+4*n > len(r.b) {
		r.err = errors.New("truncated")
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		var v uint32
		if r.swap {
			v = binary.BigEndian.Uint32(r.b[r.off:])
		} else {
			v = binary.LittleEndian.Uint32(r.b[r.off:])
		}
		out[i] = math.Float32frombits(v)
		r.off += 4
	}
	return out
}

// mdefCounts are the sizes a binary mdef declares.
type mdefCounts struct{ nCI, nPhone, nSen, nTmat, nSseq, nTree int32 }

// mdefPhone is a phone's entry in the mdef: its senone sequence, its
// transition matrix and (word position, base, left, right) for triphones,
// (filler, …) for context-independent phones.
type mdefPhone struct {
	ssid, tmat int32
	info       [4]byte
}

// readMdef reads a binary mdef (bin_mdef.c): header, phone names, context
// tree (skipped), phones, senone sequences.
func (m *Model) readMdef(b []byte) error {
	r, c, err := readMdefHeader(b)
	if err != nil {
		return err
	}
	if err := m.readPhoneNames(r, int(c.nCI)); err != nil {
		return err
	}
	r.off += int(c.nTree) * 8
	if r.off > len(b) {
		return errors.New("truncated context tree")
	}
	phones := make([]mdefPhone, c.nPhone)
	for i := range phones {
		phones[i].ssid = r.i32()
		phones[i].tmat = r.i32()
		if r.err == nil && r.off+4 <= len(b) {
			copy(phones[i].info[:], b[r.off:r.off+4])
		}
		r.off += 4
	}
	sseq, err := readSenoneSeqs(r, c)
	if err != nil {
		return err
	}
	if err := m.contextIndependent(phones, sseq, c); err != nil {
		return err
	}
	return m.triphoneUnits(phones, sseq, c)
}

// readMdefHeader checks the magic and version and reads the counts.
func readMdefHeader(b []byte) (*reader, mdefCounts, error) {
	r := &reader{b: b}
	if len(b) < 4 {
		return nil, mdefCounts{}, errors.New("truncated")
	}
	switch binary.LittleEndian.Uint32(b) {
	case 0x46444d42: // "BMDF" little-endian
	case 0x424d4446:
		r.swap = true
	default:
		return nil, mdefCounts{}, errors.New("not a binary mdef")
	}
	r.off = 4
	if v := r.i32(); v > 1 {
		return nil, mdefCounts{}, fmt.Errorf("format version %d", v)
	}
	hl := r.i32()
	if hl < 0 || r.off+int(hl) > len(b) {
		return nil, mdefCounts{}, errors.New("truncated header")
	}
	r.off += int(hl)
	var c mdefCounts
	var nEmit int32
	c.nCI, c.nPhone, nEmit, _, c.nSen, c.nTmat, c.nSseq, _, c.nTree, _ = r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32()
	if r.err != nil {
		return nil, c, r.err
	}
	if nEmit != States || c.nCI <= 0 || c.nCI > 255 || c.nPhone < c.nCI || c.nSen <= 0 || c.nSen > 65535 || c.nTmat <= 0 || c.nSseq <= 0 || c.nTree < 0 ||
		int64(c.nPhone)*12 > int64(len(b)) || int64(c.nTree)*8 > int64(len(b)) || int64(c.nSseq)*2*States > int64(len(b)) {
		return nil, c, fmt.Errorf("unsupported layout (%d emitting states, %d phones)", nEmit, c.nCI)
	}
	return r, c, nil
}

// readPhoneNames reads the n context-independent phones' names, each
// ending in a zero byte, the list padded to four bytes.
func (m *Model) readPhoneNames(r *reader, n int) error {
	b, start := r.b, r.off
	for range n {
		if r.off >= len(b) {
			return errors.New("truncated phone names")
		}
		end := bytes.IndexByte(b[r.off:], 0)
		if end < 0 {
			return errors.New("truncated phone names")
		}
		m.Phones = append(m.Phones, string(b[r.off:r.off+end]))
		r.off += end + 1
	}
	r.off = start + (r.off-start+3)&^3
	return nil
}

// readSenoneSeqs reads the senone sequences (States senones each).
func readSenoneSeqs(r *reader, c mdefCounts) ([]int32, error) {
	b := r.b
	size := r.i32()
	if r.err != nil || size != c.nSseq*States || r.off+2*int(size) > len(b) {
		return nil, errors.New("truncated senone sequences")
	}
	sseq := make([]int32, size)
	for i := range sseq {
		if r.swap {
			sseq[i] = int32(binary.BigEndian.Uint16(b[r.off:]))
		} else {
			sseq[i] = int32(binary.LittleEndian.Uint16(b[r.off:]))
		}
		r.off += 2
		if sseq[i] >= c.nSen {
			return nil, errors.New("senone out of range")
		}
	}
	return sseq, nil
}

// unitOf is phone e's HMM: its senones and transition matrix.
func unitOf(e mdefPhone, sseq []int32, c mdefCounts) (unit, error) {
	if e.ssid < 0 || e.ssid >= c.nSseq || e.tmat < 0 || e.tmat >= c.nTmat {
		return unit{}, errors.New("phone out of range")
	}
	var u unit
	copy(u.sen[:], sseq[e.ssid*States:])
	u.tmat = e.tmat
	return u, nil
}

// contextIndependent sets up the context-independent phones: names,
// fillers, units, SIL.
func (m *Model) contextIndependent(phones []mdefPhone, sseq []int32, c mdefCounts) error {
	m.phoneID = map[string]int{}
	m.Fillers = make([]bool, c.nCI)
	m.ci = make([]unit, c.nCI)
	m.Sil = -1
	for i, name := range m.Phones {
		m.phoneID[name] = i
		m.Fillers[i] = phones[i].info[0] != 0
		u, err := unitOf(phones[i], sseq, c)
		if err != nil {
			return err
		}
		m.ci[i] = u
		if name == "SIL" {
			m.Sil = i
		}
	}
	if m.Sil < 0 {
		return errors.New("no SIL phone")
	}
	return nil
}

// triphoneUnits maps every senone to its codebook (its base phone) and
// every triphone to its unit.
func (m *Model) triphoneUnits(phones []mdefPhone, sseq []int32, c mdefCounts) error {
	nCI := int(c.nCI)
	m.nSen = int(c.nSen)
	m.senCB = make([]int16, c.nSen)
	m.triphones = make(map[triKey]unit, len(phones)-nCI)
	for i, e := range phones {
		base := i // a context-independent phone is its own base
		if i >= nCI {
			base = int(e.info[1])
		}
		if base >= nCI {
			return errors.New("phone context out of range")
		}
		u, err := unitOf(e, sseq, c)
		if err != nil {
			return err
		}
		for _, s := range u.sen {
			m.senCB[s] = int16(base)
		}
		if i < nCI {
			continue
		}
		if int(e.info[2]) >= nCI || int(e.info[3]) >= nCI || e.info[0] > PosSingle {
			return errors.New("phone context out of range")
		}
		m.triphones[triKey{int16(e.info[1]), int16(e.info[2]), int16(e.info[3]), e.info[0]}] = u
	}
	return nil
}

// readS3 reads an s3 parameter file's header ("s3", name value lines,
// "endhdr", byte-order magic) and returns a reader past it.
func readS3(b []byte) (*reader, error) {
	sc := bufio.NewReader(bytes.NewReader(b))
	off := 0
	for {
		line, err := sc.ReadString('\n')
		if err != nil {
			return nil, errors.New("no end of header")
		}
		off += len(line)
		if strings.TrimSpace(line) == "endhdr" {
			break
		}
	}
	if off+4 > len(b) {
		return nil, errors.New("truncated")
	}
	r := &reader{b: b, off: off + 4}
	switch binary.LittleEndian.Uint32(b[off:]) {
	case 0x11223344:
	case 0x44332211:
		r.swap = true
	default:
		return nil, errors.New("bad byte-order magic")
	}
	return r, nil
}

func readGauden(b []byte) (nCB, nFeat, nDens int, veclen []int, data []float32, err error) {
	r, err := readS3(b)
	if err != nil {
		return
	}
	nCB, nFeat, nDens = int(r.i32()), int(r.i32()), int(r.i32())
	if r.err != nil || nFeat != 3 || nCB <= 0 || nCB > 1000 || nDens <= 0 || nDens > 4096 {
		return 0, 0, 0, nil, nil, fmt.Errorf("unsupported Gaussians (%d codebooks, %d streams)", nCB, nFeat)
	}
	blk := 0
	for range nFeat {
		v := int(r.i32())
		if v <= 0 || v > 100 {
			return 0, 0, 0, nil, nil, errors.New("bad stream width")
		}
		veclen = append(veclen, v)
		blk += v
	}
	n := int(r.i32())
	if n != nCB*nDens*blk {
		return 0, 0, 0, nil, nil, errors.New("parameter count does not match the dimensions")
	}
	data = r.f32s(n)
	if r.err == nil {
		r.err = trailing(r)
	}
	return nCB, nFeat, nDens, veclen, data, r.err
}

// trailing checks that nothing but an s3 checksum (4 bytes) follows the
// data: a file cut short, or with more in it, is damaged.
func trailing(r *reader) error {
	if rest := len(r.b) - r.off; rest != 0 && rest != 4 {
		return fmt.Errorf("%d unexpected bytes after the data", rest)
	}
	return nil
}

func (m *Model) readGaussians(means, vars []byte) error {
	nCB, _, nDens, veclen, mu, err := readGauden(means)
	if err != nil {
		return fmt.Errorf("means: %w", err)
	}
	nCB2, _, nDens2, veclen2, va, err := readGauden(vars)
	if err != nil {
		return fmt.Errorf("variances: %w", err)
	}
	if nCB != nCB2 || nDens != nDens2 || !equal(veclen, veclen2) {
		return errors.New("means and variances disagree")
	}
	if veclen[0] != 13 || veclen[1] != 13 || veclen[2] != 13 {
		return errors.New("streams must be 13/13/13")
	}
	m.nCB, m.nDens = nCB, nDens
	copy(m.stream[:], veclen)
	if nDens > maxDens {
		return fmt.Errorf("%d Gaussians per codebook; at most %d are supported", nDens, maxDens)
	}
	m.gau = make([][3][]float32, nCB)
	const varFloor = 1e-4
	l := 0
	for c := range nCB {
		for f := range 3 {
			n := nDens * veclen[f]
			m.gau[c][f] = packGaussians(mu[l:l+n], va[l:l+n], nDens, varFloor)
			l += n
		}
	}
	for _, c := range m.senCB {
		if int(c) >= nCB {
			return errors.New("fewer codebooks than phones")
		}
	}
	return nil
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// logUnit is the natural log of the unit sendump and PocketSphinx's
// quantized scores count in: log base 1.0001, shifted right by 10 bits.
var logUnit = 1024 * math.Log(1.0001)

func (m *Model) readSendump(b []byte) error {
	r := &reader{b: b}
	n := r.i32()
	if n < 1 || n > 999 {
		return errors.New("bad title length (only little-endian files are read)")
	}
	r.off += int(n)
	clusters := 0
	for {
		n := r.i32()
		if r.err != nil {
			return r.err
		}
		if n == 0 {
			break
		}
		if n < 0 || r.off+int(n) > len(b) {
			return errors.New("truncated header")
		}
		s := string(bytes.TrimRight(b[r.off:r.off+int(n)], "\x00"))
		if v, ok := strings.CutPrefix(s, "cluster_count "); ok {
			clusters, _ = strconv.Atoi(v)
		}
		r.off += int(n)
	}
	if clusters != 0 {
		return errors.New("clustered (4-bit) mixture weights are not supported")
	}
	rows, cols := int(r.i32()), int(r.i32())
	if r.err != nil || rows != m.nDens || cols != m.nSen {
		return fmt.Errorf("%d×%d weights for %d Gaussians and %d senones", rows, cols, m.nDens, m.nSen)
	}
	if r.off+3*rows*cols > len(b) {
		return errors.New("truncated weights")
	}
	for q := range m.weightLog {
		m.weightLog[q] = float32(-float64(q) * logUnit)
	}
	m.mixw = make([]uint8, 3*rows*cols)
	for f := range 3 {
		for d := range rows {
			for sen, q := range b[r.off : r.off+cols] {
				m.mixw[(sen*3+f)*rows+d] = q
			}
			r.off += cols
		}
	}
	return nil
}

// weight is the natural log of the weight of Gaussian d of stream f in
// senone sen.
func (m *Model) weight(sen, f, d int) float32 {
	return m.weightLog[m.mixw[(sen*3+f)*m.nDens+d]]
}

func (m *Model) readTmat(b []byte) error {
	r, err := readS3(b)
	if err != nil {
		return err
	}
	nT, nSrc, nDst, n := int(r.i32()), int(r.i32()), int(r.i32()), int(r.i32())
	if r.err != nil || nSrc != States || nDst != States+1 || n != nT*nSrc*nDst || nT <= 0 {
		return errors.New("unsupported transition matrices")
	}
	tp := r.f32s(n)
	if r.err != nil {
		return r.err
	}
	if err := trailing(r); err != nil {
		return err
	}
	const floor = 1e-4
	m.tmat = make([][States][States + 1]float32, nT)
	for t := range nT {
		for i := range States {
			row := tp[(t*States+i)*(States+1):][:States+1]
			var sum float64
			for _, v := range row {
				sum += float64(v)
			}
			var p [States + 1]float64
			var s2 float64
			for j, v := range row {
				p[j] = float64(v) / sum
				if p[j] > 0 && p[j] < floor {
					p[j] = floor
				}
				s2 += p[j]
			}
			for j := range p {
				lp := math.Inf(-1)
				if p[j] > 0 {
					lp = math.Log(p[j] / s2)
				}
				m.tmat[t][i][j] = float32(lp)
			}
		}
	}
	for _, u := range m.ci {
		if int(u.tmat) >= nT {
			return errors.New("transition matrix out of range")
		}
	}
	return nil
}
