#include <sqlite3.h>
// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
// An empty Swift string may have no storage: bind "" then, since a NULL pointer would bind SQL NULL.
static inline int linkaudit_bind_text(sqlite3_stmt *s, int i, const char *v, int n) { return sqlite3_bind_text(s, i, v ? v : "", n, SQLITE_TRANSIENT); }
static inline int linkaudit_bind_blob(sqlite3_stmt *s, int i, const void *v, int n) { return sqlite3_bind_blob(s, i, v ? v : "", n, SQLITE_TRANSIENT); }
// SQLITE_STATIC: the caller keeps the bytes alive and unchanged until the binding is cleared.
static inline int linkaudit_bind_text_static(sqlite3_stmt *s, int i, const char *v, int n) { return sqlite3_bind_text(s, i, v ? v : "", n, SQLITE_STATIC); }
// Turns off allocation statistics, whose global mutex every malloc takes; must run before sqlite3_initialize.
static inline int linkaudit_disable_memstatus(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
