// Package acoustic holds the US English acoustic model that the forced
// aligner scores speech with, embedded so that readcast aligns from its one
// binary with nothing installed: CMU Sphinx's continuous (PTM) model as
// Debian's pocketsphinx-en-us ships it, and the CMU pronouncing dictionary
// that goes with it. SOURCE.md says where every file came from, with its
// checksum; en-us/LICENSE is the licence (BSD-2-Clause).
package acoustic

import "embed"

// Files holds the model, at the paths the model directory has in the
// Debian package:
//
//	en-us/feat.params          front-end parameters
//	en-us/mdef                 model definition (binary): phones, triphones, senones
//	en-us/means                Gaussian means
//	en-us/variances            Gaussian variances
//	en-us/sendump              quantized mixture weights
//	en-us/transition_matrices  HMM transition matrices
//	en-us/noisedict            filler words (<sil>, [NOISE], [SPEECH])
//	en-us/README, en-us/LICENSE
//	cmudict-en-us.dict.gz      the pronouncing dictionary, gzipped (Dict)
//
//go:embed en-us cmudict-en-us.dict.gz
var Files embed.FS

// Dict is the path in Files of the gzipped pronouncing dictionary: lines
// of "word PH ON ES", variants spelled "word(2)".
const Dict = "cmudict-en-us.dict.gz"
