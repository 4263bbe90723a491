#include <zlib.h>
// deflateInit2 is a macro Swift cannot import: raw deflate (no zlib header), as zip entries hold.
static inline int linkaudit_deflate_init_raw(z_stream *s, int level) { return deflateInit2(s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY); }
