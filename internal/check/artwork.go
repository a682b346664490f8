package check

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Artwork sizes Apple Podcasts accepts, in pixels a side.
const (
	minArtwork = 1400
	maxArtwork = 3000
)

// checkArtwork checks show or episode artwork as Apple does: JPEG or PNG,
// square, 1400 to 3000 px, RGB.
func checkArtwork(f *findings, u string, resp *response) {
	if resp.status != http.StatusOK {
		f.fail(u, "artwork GET answered %s, want 200 OK", status(resp.status))
		return
	}
	if resp.truncated {
		f.fail(u, "artwork is over %d MB", maxImage>>20)
		return
	}
	ct := mediaType(resp.header.Get("Content-Type"))
	sniffed := mediaType(http.DetectContentType(resp.body))
	if ct != "image/jpeg" && ct != "image/png" {
		f.fail(u, "artwork Content-Type is %q; Apple wants image/jpeg or image/png", ct)
	} else if sniffed != ct {
		f.fail(u, "artwork is served as %s but its bytes are %s", ct, sniffed)
	}
	var (
		cfg image.Config
		err error
	)
	switch sniffed {
	case "image/jpeg":
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(resp.body))
	case "image/png":
		cfg, err = png.DecodeConfig(bytes.NewReader(resp.body))
	default:
		f.fail(u, "artwork is %s, not a JPEG or PNG image", sniffed)
		return
	}
	if err != nil {
		f.fail(u, "artwork does not decode: %v", err)
		return
	}
	if p, _ := url.Parse(u); p != nil {
		ext := strings.ToLower(path.Ext(p.Path))
		if (sniffed == "image/jpeg" && ext != ".jpg" && ext != ".jpeg") || (sniffed == "image/png" && ext != ".png") {
			f.warn(u, "artwork is %s but its name ends in %q; Apple wants the extension to match", sniffed, ext)
		}
	}
	ok := true
	if cfg.Width != cfg.Height {
		f.fail(u, "artwork is %d×%d px, not square", cfg.Width, cfg.Height)
		ok = false
	}
	if min(cfg.Width, cfg.Height) < minArtwork || max(cfg.Width, cfg.Height) > maxArtwork {
		f.fail(u, "artwork is %d×%d px; Apple wants %d to %d px a side", cfg.Width, cfg.Height, minArtwork, maxArtwork)
		ok = false
	}
	if space := colorSpace(cfg.ColorModel); space != "" {
		f.fail(u, "artwork is %s; Apple wants RGB", space)
		ok = false
	}
	if !ok {
		return
	}
	// The header is right: make sure the whole image is there too.
	if _, _, err := image.Decode(bytes.NewReader(resp.body)); err != nil {
		f.fail(u, "artwork does not decode: %v", err)
	}
}

// colorSpace names the colour model m when it is not RGB, or returns "".
func colorSpace(m color.Model) string {
	switch m {
	case color.CMYKModel:
		return "CMYK"
	case color.GrayModel, color.Gray16Model:
		return "grayscale"
	case color.AlphaModel, color.Alpha16Model:
		return "alpha only"
	}
	return ""
}
