/*
 * test_detect_paths.c - a password reset's token in a URL's path (src/detect/paths.c): found
 * after "reset" in the forms Laravel, Django and others write, also in JSON's "\/" and
 * percent-encoded; words that only start alike, short or letter-only segments, segments
 * another detector's match could hide in and over-long tokens stay; no byte outside the text
 * is read; hostile lines come out whole; and a leak check plants tokens in random paths.
 */
#include "detect/detect.h"
#include "helpers.h"

Test(reset_token, forms)
{
    /* Laravel, with the e-mail after it */
    EXPECT_SCRUB("1.2.3.4 - - [05/Dec/2026:10:00:00 +0000] \"GET /reset-password/"
                 "3f5e1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f?email=a%40b.co "
                 "HTTP/1.1\" 200 5 \"-\" \"x\"",
                 "1.2.3.0 - - [05/Dec/2026:10:00:00 +0000] \"GET /reset-password/[secret]?email="
                 "[email] HTTP/1.1\" 200 5 \"-\" \"x\"");
    /* Django: a user id passed over, the token; a trailing '/' */
    EXPECT_SCRUB("GET /accounts/reset/MQ/c1d2e3-4f5a6b7c8d9e0f1a2b3c/ HTTP/1.1",
                 "GET /accounts/reset/MQ/[secret]/ HTTP/1.1");
    /* "reset" after '-' or '_'; a segment or two passed over; '#' after it */
    EXPECT_SCRUB("GET /password-reset/Zx9Zx9Zx9Zx9Zx9Zx9#top x",
                 "GET /password-reset/[secret]#top x");
    EXPECT_SCRUB("GET /auth/password_reset_confirm/u-1/Zx9Zx9Zx9Zx9Zx9Zx9",
                 "GET /auth/password_reset_confirm/u-1/[secret]");
    EXPECT_SCRUB("GET /password/reset/abc/def/Zx9Zx9Zx9Zx9Zx9Zx9 x",
                 "GET /password/reset/abc/def/[secret] x");
    /* JSON's "\/" (as text), and percent-encoded in a query (the decoded stretch) */
    EXPECT_SCRUB("x \"\\/reset\\/Zx9Zx9Zx9Zx9Zx9Zx9\\/\"", "x \"\\/reset\\/[secret]\\/\"");
    EXPECT_SCRUB("GET /next?u=%2Freset%2FZx9Zx9Zx9Zx9Zx9Zx9 x",
                 "GET /next?u=%2Freset%2F[secret] x");
}

Test(reset_token, what_stays)
{
    EXPECT_UNCHANGED("GET /reset.css /resets/Zx9Zx9Zx9Zx9Zx9Zx9 /preset/Zx9Zx9Zx9Zx9Zx9Zx9");
    EXPECT_UNCHANGED("reset/Zx9Zx9Zx9Zx9Zx9Zx9 x reset Zx9Zx9Zx9Zx9Zx9Zx9");
    /* too short, letters only, digits only, bytes a token has not */
    EXPECT_UNCHANGED(
        "GET /reset/Zx9Zx9Zx9Zx9Zx9 /reset/abcdefghijklmnopqrst /reset/12345678901234567");
    EXPECT_UNCHANGED("GET /reset/Zx9Zx9Zx9Zx9Zx9Zx9.html /reset/Zx9Zx9Zx9Zx9Zx9Zx9%41");
    /* past too many segments, or a long one, or one another detector reads */
    EXPECT_UNCHANGED("GET /reset/a/b/c/Zx9Zx9Zx9Zx9Zx9Zx9 /reset/abcdefghijklm/Zx9Zx9Zx9Zx9Zx9Zx9");
    EXPECT_SCRUB("GET /reset/a@b.co/Zx9Zx9Zx9Zx9Zx9Zx9", "GET /reset/[email]/Zx9Zx9Zx9Zx9Zx9Zx9");
    /* a backslash that starts no "\/" ends no segment */
    EXPECT_UNCHANGED("x \"\\/reset\\/Zx9Zx9Zx9Zx9Zx9Zx9\\q\"");
    /* the rest of the word's segment: 32 bytes, not 33 */
    EXPECT_SCRUB("GET /reset-abcdefghijklmnopqrstuvwxyz01234/Zx9Zx9Zx9Zx9Zx9Zx9",
                 "GET /reset-abcdefghijklmnopqrstuvwxyz01234/[secret]");
    EXPECT_UNCHANGED("GET /reset-abcdefghijklmnopqrstuvwxyz012345/Zx9Zx9Zx9Zx9Zx9Zx9");
}

/* The longest token is taken; one byte more and it is no token. */
Test(reset_token, longest_token)
{
    for (int extra = 0; extra < 2; extra++) {
        char in[700];
        size_t i = (size_t)sprintf(in, "GET /reset/");
        memset(in + i, 'a', 511 + (size_t)extra);
        sprintf(in + i + 511 + extra, "1 x");
        char *out = scrub_default(in);
        cr_expect((strcmp(out, "GET /reset/[secret] x") == 0) == (extra == 0), "extra %d", extra);
        free(out);
    }
}

/* No byte outside the text is read: every cut of a path placed before a protected page. */
Test(reset_token, reads_stay_inside_the_text)
{
    static const char full[] = "/reset-x/ab/Zx9Zx9Zx9Zx9Zx9Zx9";
    struct guard g = guard_new();
    for (size_t cut = 1; cut <= sizeof full - 1; cut++) {
        char *p = guard_place(&g, full, cut);
        struct lsc_match m;
        bool found = lsc_detect_reset_token(p, cut, 1, &m);
        cr_expect(found == (cut >= sizeof full - 3), "cut %zu", cut);
        cr_expect(!found || (m.off == 12 && m.len == cut - 12), "cut %zu", cut);
    }
    guard_free(&g);
}

/* Long lines of reset-like paths come out whole (bounded reads: bench/hostile.sh times them). */
Test(reset_token, hostile_lines)
{
    static const char *const units[] = {"/reset", "/reset/", "/reset/a", "-reset-reset_",
                                        "/reset/abcdefghijklmnopq"};
    expect_repeated_unchanged(units, sizeof units / sizeof units[0], 300000);
    char *line = repeated_line("/reset/Zx9Zx9Zx9Zx9Zx9Zx9", 300000, "");
    char *out = scrub_default(line);
    cr_expect(strstr(out, "Zx9") == NULL && strstr(out, "/reset/[secret]/reset/") != NULL);
    free(out);
    free(line);
}

/* A reset link of a random form, the planted value inside its token. */
static size_t plant_reset(char *out, size_t room, const char *v, unsigned r)
{
    static const char *const before[] = {"/reset/",
                                         "/reset-password/",
                                         "/password/reset/",
                                         "/accounts/reset/MTIz/",
                                         "/password_reset/confirm/",
                                         "\\/reset\\/"};
    static const char *const after[] = {"", "/", "?email=a%40b.co", "#x", "\\/", "\" 200"};
    return (size_t)snprintf(out, room, "GET %s%s%s%s-0a1b2c3d%s", r % 3 ? "https://x.io" : "",
                            before[(r / 3) % 6], r & 64 ? "k" : "", v, after[(r / 18) % 6]);
}

Test(reset_token, no_planted_value_in_a_reset_link)
{
    expect_none_leaked_from(plant_reset, "RtZk", 0x7e5e7, 256);
}
