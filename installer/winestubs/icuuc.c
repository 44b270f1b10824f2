/* icuuc.dll for Wine 8.0, which has none: only for building and testing under Wine.
 *
 * Qt6Core (6.11) imports the 20 ucnv_* functions below from Windows' own ICU to
 * convert legacy code pages. Wine 8.0 lacks the DLL, so Qt6Core would not load.
 * Every converter fails to open here (U_FILE_ACCESS_ERROR), which Qt handles as
 * "codec not available"; the kiosk speaks UTF-8 and UTF-16 only, which Qt
 * converts itself. Never shipped: installer/windows.py compiles it into the Wine
 * prefix's system32, where PyInstaller treats it as a system DLL and leaves it out.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -o icuuc.dll icuuc.c
 */
#include <stddef.h>

#define U_FILE_ACCESS_ERROR 4
#define EXPORT __declspec(dllexport)

static void fail(int *error) {
    if (error != NULL && *error <= 0) *error = U_FILE_ACCESS_ERROR;
}

EXPORT void *ucnv_open(const char *name, int *error) { (void)name; fail(error); return NULL; }
EXPORT void ucnv_close(void *converter) { (void)converter; }
EXPORT void ucnv_reset(void *converter) { (void)converter; }
EXPORT int ucnv_countAvailable(void) { return 0; }
EXPORT const char *ucnv_getAvailableName(int n) { (void)n; return NULL; }
EXPORT const char *ucnv_getName(const void *c, int *error) { (void)c; fail(error); return NULL; }
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, int *error) {
    (void)name; (void)standard; fail(error); return NULL;
}
EXPORT signed char ucnv_getMaxCharSize(const void *converter) { (void)converter; return 4; }
EXPORT int ucnv_fromUCountPending(const void *c, int *error) { (void)c; fail(error); return 0; }
EXPORT int ucnv_toUCountPending(const void *c, int *error) { (void)c; fail(error); return 0; }
EXPORT void ucnv_fromUnicode(void *c, char **t, const char *tl, const void **s, const void *sl,
                             int *o, signed char flush, int *error) {
    (void)c; (void)t; (void)tl; (void)s; (void)sl; (void)o; (void)flush; fail(error);
}
EXPORT void ucnv_toUnicode(void *c, void **t, const void *tl, const char **s, const char *sl,
                           int *o, signed char flush, int *error) {
    (void)c; (void)t; (void)tl; (void)s; (void)sl; (void)o; (void)flush; fail(error);
}
EXPORT void ucnv_getFromUCallBack(const void *c, void **action, const void **context) {
    (void)c; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_getToUCallBack(const void *c, void **action, const void **context) {
    (void)c; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_setFromUCallBack(void *c, void *n, const void *nc, void **o, const void **oc,
                                  int *error) {
    (void)c; (void)n; (void)nc; (void)o; (void)oc; fail(error);
}
EXPORT void ucnv_setToUCallBack(void *c, void *n, const void *nc, void **o, const void **oc,
                                int *error) {
    (void)c; (void)n; (void)nc; (void)o; (void)oc; fail(error);
}
EXPORT void ucnv_cbFromUWriteUChars(void *args, const void **s, const void *sl, int o,
                                    int *error) {
    (void)args; (void)s; (void)sl; (void)o; fail(error);
}
EXPORT void ucnv_cbToUWriteUChars(void *args, const void *s, int l, int o, int *error) {
    (void)args; (void)s; (void)l; (void)o; fail(error);
}
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *ctx, void *args, const void *u, int l,
                                            int cp, int reason, int *error) {
    (void)ctx; (void)args; (void)u; (void)l; (void)cp; (void)reason; fail(error);
}
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *ctx, void *args, const char *b, int l,
                                          int reason, int *error) {
    (void)ctx; (void)args; (void)b; (void)l; (void)reason; fail(error);
}
