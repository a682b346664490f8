# Prints the sample at which libespeak-ng starts each word of argv[1]: the
# ground truth that espeak-ng's program does not print. Used only by tests.
import ctypes, sys

lib = ctypes.CDLL("libespeak-ng.so.1")
rate = lib.espeak_Initialize(2, 0, None, 0)  # AUDIO_OUTPUT_SYNCHRONOUS


class Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_int)]


Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))


def on_synth(wav, n, events):
    i = 0
    while events[i].type != 0:
        if events[i].type == 1:  # espeakEVENT_WORD
            print(events[i].text_position, events[i].sample)
        i += 1
    return 0


cb = Callback(on_synth)
lib.espeak_SetSynthCallback(cb)
lib.espeak_SetVoiceByName(sys.argv[2].encode() if len(sys.argv) > 2 else b"en-us")
text = sys.argv[1].encode()
lib.espeak_Synth(text, len(text) + 1, 0, 0, 0, 0, None, None)
print("rate", rate)
