package artwork

import (
	"image"

	xdraw "golang.org/x/image/draw"
)

// Thumbnail scales img to side×side the way a podcast app shows a cover in
// a list, so that tests and previews can judge legibility at that size. It
// uses a tent filter, which never overshoots: a thumbnail's contrast is
// never better than the cover's.
func Thumbnail(img image.Image, side int) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, side, side))
	xdraw.BiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), xdraw.Src, nil)
	return dst
}
