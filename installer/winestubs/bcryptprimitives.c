/* bcryptprimitives.dll for Wine 8.0, which has none: only for building and testing under Wine.
 *
 * The Rust standard library in cryptography's module gets its random bytes from
 * ProcessPrng (Windows 10+). Here it asks bcrypt's system RNG, which Wine has.
 * Never shipped: compiled into the Wine prefix's system32 by installer/windows.py.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll bcryptprimitives.c -lbcrypt
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
