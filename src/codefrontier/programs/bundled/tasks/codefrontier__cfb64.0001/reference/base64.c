/* cfb64: base64 encode or decode (a small base64). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;
static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void usage(int status) {
    if (status) { fprintf(stderr, "Try '%s --help' for more information.\n", prog); exit(status); }
    printf("Usage: %s [OPTION]... [FILE]\n", prog);
    printf("Base64 encode or decode FILE, or standard input, to standard output.\n"
           "With no FILE, or when FILE is -, read standard input.\n\n");
    printf("  -d, --decode          decode data\n"
           "  -i, --ignore-garbage  when decoding, ignore non-alphabet characters\n"
           "  -w, --wrap=COLS       wrap encoded lines after COLS character (default 76).\n"
           "                        Use 0 to disable line wrapping\n"
           "      --help            display this help and exit\n"
           "      --version         output version information and exit\n");
    exit(0);
}

static unsigned char *slurp(FILE *f, size_t *len) {
    size_t cap = 4096, n = 0; unsigned char *buf = malloc(cap); size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) { n += got; if (n == cap) { cap *= 2; buf = realloc(buf, cap); } }
    *len = n; return buf;
}

int main(int argc, char **argv) {
    static struct option longs[] = {
        {"decode", no_argument, 0, 'd'}, {"ignore-garbage", no_argument, 0, 'i'}, {"wrap", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int opt, decode = 0, garbage = 0; long wrap = 76;
    prog = argv[0];
    while ((opt = getopt_long(argc, argv, "diw:", longs, NULL)) != -1) {
        switch (opt) {
        case 'd': decode = 1; break;
        case 'i': garbage = 1; break;
        case 'w': {
            char *end; wrap = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || wrap < 0) { fprintf(stderr, "%s: invalid wrap size: '%s'\n", prog, optarg); return 1; }
            break;
        }
        case 'h': usage(0); break;
        case 'V': printf("cfb64 1.0\n"); return 0;
        default: usage(1);
        }
    }
    if (argc - optind > 1) { fprintf(stderr, "%s: extra operand '%s'\n", prog, argv[optind + 1]); usage(1); }
    FILE *f = stdin;
    if (optind < argc && strcmp(argv[optind], "-")) {
        f = fopen(argv[optind], "rb");
        if (!f) { fprintf(stderr, "%s: %s: No such file or directory\n", prog, argv[optind]); return 1; }
    }
    size_t len; unsigned char *data = slurp(f, &len);
    if (!decode) {
        long col = 0;
        for (size_t i = 0; i < len; i += 3) {
            unsigned v = data[i] << 16 | (i + 1 < len ? data[i + 1] << 8 : 0) | (i + 2 < len ? data[i + 2] : 0);
            char q[4] = {alphabet[v >> 18 & 63], alphabet[v >> 12 & 63], i + 1 < len ? alphabet[v >> 6 & 63] : '=', i + 2 < len ? alphabet[v & 63] : '='};
            for (int k = 0; k < 4; k++) { putchar(q[k]); if (wrap && ++col == wrap) { putchar('\n'); col = 0; } }
        }
        if (!wrap || col) putchar('\n');
        else if (len == 0) { /* nothing */ }
        free(data); return 0;
    }
    unsigned v = 0; int bits = 0, pad = 0, status = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = data[i]; const char *p;
        if (c == '\n') continue;
        if (c == '=') { pad++; continue; }
        if (c == 0 || !(p = strchr(alphabet, c)) || pad) {
            if (garbage && c != '=' && !(c && strchr(alphabet, c))) continue;
            fprintf(stderr, "%s: invalid input\n", prog); status = 1; break;
        }
        v = v << 6 | (unsigned)(p - alphabet); bits += 6;
        if (bits >= 8) { bits -= 8; putchar((int)(v >> bits & 255)); }
    }
    if (!status && (bits >= 6 || (pad && (pad + (bits ? 1 : 0)) > 2))) { fprintf(stderr, "%s: invalid input\n", prog); status = 1; }
    free(data);
    return status;
}
