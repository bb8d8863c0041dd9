/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for http/tmpl: escaping in every output context, raw output, values, nested
 * blocks and scope walk-up, eq/ne, partials, standalone lines, translations, loading
 * from a folder, syntax errors with line numbers, and concurrent rendering. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "http/i18n.h"
#include "http/tmpl.h"
#include "testutil.h"

static const char EVIL[] = "<script>alert(\"x\" & 'y')</script>";
static const char EVIL_ESC[] = "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;";

/* Renders src (as template "t", with optional extra templates already in set) with the
 * JSON text data; returns the output, or "ERR: msg" on failure. Caller frees. */
static char *render_in(tmpl_set *set, const char *src, const char *json, const char *locale) {
    perr err = {{0}};
    if (!tmpl_set_add(set, "t", src, strlen(src), &err)) {
        buf b = BUF_INIT;
        buf_printf(&b, "PARSE: %s", err.msg);
        return buf_detach(&b);
    }
    json_error_t jerr;
    json_t *data = json ? json_loads(json, 0, &jerr) : NULL;
    if (json) assert_non_null(data);
    buf out = BUF_INIT;
    if (!tmpl_render(set, "t", data, locale, &out, &err)) {
        buf_reset(&out);
        buf_printf(&out, "ERR: %s", err.msg);
    }
    json_decref(data);
    return buf_detach(&out);
}

static char *render(const char *src, const char *json) {
    tmpl_set *set = tmpl_set_new(NULL);
    char *s = render_in(set, src, json, NULL);
    tmpl_set_free(set);
    return s;
}

#define CHECK(src, json, want)              \
    do {                                    \
        char *got_ = render(src, json);     \
        assert_string_equal(got_, want);    \
        free(got_);                         \
    } while (0)

static char *evil_json(void) {
    json_t *o = json_pack("{s:s, s:[s], s:{s:s}}", "x", EVIL, "list", EVIL, "obj", EVIL, EVIL);
    char *s = json_dumps(o, 0);
    json_decref(o);
    return s;
}

static void test_escaping_everywhere(void **state) {
    (void)state;
    char *json = evil_json();
    char want[512];
    /* text, attribute, each item, @key, nested path */
    snprintf(want, sizeof want, "<p>%s</p><a title=\"%s\">", EVIL_ESC, EVIL_ESC);
    char *got = render("<p>{{x}}</p><a title=\"{{ x }}\">", json);
    assert_string_equal(got, want);
    free(got);
    got = render("{{#each list}}{{.}}{{/each}}", json);
    assert_string_equal(got, EVIL_ESC);
    free(got);
    snprintf(want, sizeof want, "%s=%s", EVIL_ESC, EVIL_ESC);
    got = render("{{#each obj}}{{@key}}={{this}}{{/each}}", json);
    assert_string_equal(got, want);
    free(got);
    got = render("{{#each list}}{{@root.x}}{{/each}}", json);
    assert_string_equal(got, EVIL_ESC);
    free(got);
    /* raw output is raw */
    got = render("{{{x}}}", json);
    assert_string_equal(got, EVIL);
    free(got);
    free(json);
}

static void test_values(void **state) {
    (void)state;
    CHECK("[{{i}}|{{neg}}|{{r}}|{{r2}}|{{r3}}|{{r4}}|{{t}}|{{f}}|{{n}}|{{missing}}|{{o}}|{{a}}]",
          "{\"i\": 42, \"neg\": -7, \"r\": 3.14159, \"r2\": 2.5, \"r3\": 2.0, \"r4\": -0.001,"
          " \"t\": true, \"f\": false, \"n\": null, \"o\": {\"k\": 1}, \"a\": [1]}",
          "[42|-7|3.14|2.5|2|0||||||]");
    CHECK("{{a.b.c}} {{a.list.1}} {{a.list.9}} {{a.b.c.d}}",
          "{\"a\": {\"b\": {\"c\": \"deep\"}, \"list\": [\"zero\", \"one\"]}}", "deep one  ");
    CHECK("{{x}}", NULL, "");
    CHECK("{{ \"lit\" }} {{ 12 }}", "{}", "lit 12");
    CHECK("Texte accentué « ok »", "{}", "Texte accentué « ok »");
}

static void test_if_unless_truthiness(void **state) {
    (void)state;
    const char *data =
        "{\"t\": true, \"f\": false, \"z\": 0, \"zr\": 0.0, \"one\": 1, \"e\": \"\", \"s\": \"x\","
        " \"ea\": [], \"a\": [0], \"eo\": {}, \"n\": null}";
    CHECK("{{#if t}}T{{/if}}{{#if f}}F{{/if}}{{#if z}}Z{{/if}}{{#if zr}}ZR{{/if}}"
          "{{#if one}}1{{/if}}{{#if e}}E{{/if}}{{#if s}}S{{/if}}{{#if ea}}EA{{/if}}"
          "{{#if a}}A{{/if}}{{#if eo}}EO{{/if}}{{#if n}}N{{/if}}{{#if nope}}X{{/if}}",
          data, "T1SAEO");
    CHECK("{{#if f}}yes{{else}}no{{/if}}|{{#unless f}}U{{else}}V{{/unless}}|{{#unless s}}U{{else}}V{{/unless}}",
          data, "no|U|V");
}

static void test_eq_ne(void **state) {
    (void)state;
    const char *data =
        "{\"sel\": \"b\", \"id\": 3, \"sid\": \"3\", \"r\": 2.5, \"units\": [{\"id\": 1, \"n\": \"A\"},"
        " {\"id\": 3, \"n\": \"B\"}], \"flag\": true}";
    CHECK("{{#if (eq sel \"b\")}}B{{/if}}{{#if (eq sel \"a\")}}A{{/if}}{{#if (ne sel \"a\")}}!A{{/if}}",
          data, "B!A");
    CHECK("{{#if (eq id sid)}}same{{/if}} {{#if (eq id 3)}}three{{/if}} {{#if (eq r 2.5)}}r{{/if}}",
          data, "same three r");
    CHECK("{{#if (eq missing null)}}nul{{/if}}{{#if (eq missing \"\")}}empty{{/if}}"
          "{{#if (eq flag true)}}T{{/if}}{{#if (eq flag \"true\")}}S{{/if}}",
          data, "nulT");
    /* the selected <option>: compare each item with a root value */
    CHECK("{{#each units}}<option value=\"{{id}}\"{{#if (eq id @root.sid)}} selected{{/if}}>{{n}}</option>{{/each}}",
          data, "<option value=\"1\">A</option><option value=\"3\" selected>B</option>");
}

static void test_each_nesting_and_scope(void **state) {
    (void)state;
    const char *data =
        "{\"title\": \"Root\", \"unit\": \"U\", \"groups\": [{\"name\": \"g1\", \"items\": [\"a\", \"b\"]},"
        " {\"name\": \"g2\", \"items\": [], \"unit\": \"V\"}]}";
    CHECK("{{#each groups}}{{@number}}.{{name}}({{unit}}):{{#each items}}[{{@index}} {{.}} {{name}} {{title}}]"
          "{{else}}none{{/each}};{{/each}}",
          data, "1.g1(U):[0 a g1 Root][1 b g1 Root];2.g2(V):none;");
    /* this.x does not walk up */
    CHECK("{{#each groups}}<{{this.unit}}>{{/each}}", data, "<><V>");
    /* @index outside each, each over a scalar or missing */
    CHECK("{{@index}}{{#each title}}x{{else}}not a list{{/each}}{{#each nope}}x{{/each}}", data, "not a list");
    CHECK("{{#each o}}{{@key}}={{.}} {{@index}};{{/each}}", "{\"o\": {\"b\": 2, \"a\": 1}}", "b=2 0;a=1 1;");
    CHECK("{{#each m}}{{#each .}}{{.}}{{/each}}|{{/each}}", "{\"m\": [[1, 2], [3]]}", "12|3|");
}

static void test_partials(void **state) {
    (void)state;
    tmpl_set *set = tmpl_set_new(NULL);
    perr err;
    const char *row = "<li>{{name}} ({{@number}}) {{site}}</li>\n";
    assert_true(tmpl_set_add(set, "partials/row", row, strlen(row), &err));
    char *got = render_in(set,
                          "<ul>\n"
                          "  {{#each people}}\n"
                          "  {{> partials/row}}\n"
                          "  {{/each}}\n"
                          "</ul>\n",
                          "{\"site\": \"S\", \"people\": [{\"name\": \"Zoé\"}, {\"name\": \"<b>\"}]}", NULL);
    assert_string_equal(got, "<ul>\n<li>Zoé (1) S</li>\n<li>&lt;b&gt; (2) S</li>\n</ul>\n");
    free(got);
    assert_true(tmpl_exists(set, "partials/row"));
    assert_false(tmpl_exists(set, "partials/nope"));
    tmpl_set_free(set);

    /* a partial may be added after the template that includes it */
    set = tmpl_set_new(NULL);
    assert_true(tmpl_set_add(set, "page", "[{{> late}}]", 12, &err));
    buf out = BUF_INIT;
    assert_false(tmpl_render(set, "page", NULL, NULL, &out, &err));
    assert_string_equal(err.msg, "unknown partial \"late\"");
    assert_true(tmpl_set_add(set, "late", "ok", 2, &err));
    buf_reset(&out);
    assert_true(tmpl_render(set, "page", NULL, NULL, &out, &err));
    assert_string_equal(buf_cstr(&out), "[ok]");
    /* self-inclusion stops at the depth limit */
    assert_true(tmpl_set_add(set, "loop", "x{{> loop}}", 11, &err));
    buf_reset(&out);
    assert_false(tmpl_render(set, "loop", NULL, NULL, &out, &err));
    assert_string_equal(err.msg, "partials nested too deeply");
    /* unknown template */
    assert_false(tmpl_render(set, "nope", NULL, NULL, &out, &err));
    assert_string_equal(err.msg, "unknown template \"nope\"");
    /* duplicate names */
    assert_false(tmpl_set_add(set, "late", "again", 5, &err));
    assert_string_equal(err.msg, "late: template late defined twice");
    buf_free(&out);
    tmpl_set_free(set);
    tmpl_set_free(NULL);
}

static void test_standalone_lines(void **state) {
    (void)state;
    const char *data = "{\"items\": [\"a\", \"b\"], \"on\": true}";
    CHECK("<ul>\n"
          "    {{#each items}}\n"
          "    <li>{{.}}</li>\n"
          "    {{/each}}\n"
          "</ul>\n",
          data, "<ul>\n    <li>a</li>\n    <li>b</li>\n</ul>\n");
    CHECK("a\n  {{#if on}}  \n  b\n\t{{else}}\n  c\n  {{/if}}\nd\n", data, "a\n  b\nd\n");
    CHECK("{{!-- a comment\n spanning lines --}}\nstart\n  {{! short }}\nend", data, "start\nend");
    /* CRLF line endings */
    CHECK("x\r\n  {{#if on}}\r\n  y\r\n  {{/if}}\r\nz", data, "x\r\n  y\r\nz");
    /* not standalone: other content on the line, or a value tag */
    CHECK("<b>{{#if on}}yes{{/if}}</b>\n", data, "<b>yes</b>\n");
    CHECK("  {{#if on}}{{/if}}\nnext", data, "  \nnext");
    CHECK("  {{on}}\n", "{\"on\": \"v\"}", "  v\n");
    /* at the very start and end */
    CHECK("{{#if on}}\nA\n{{/if}}", data, "A\n");
}

static void test_syntax_errors(void **state) {
    (void)state;
    CHECK("a\nb {{x\n", "{}", "PARSE: t:2: unclosed tag {{");
    CHECK("{{!-- never closed", "{}", "PARSE: t:1: unclosed tag {{!--");
    CHECK("\n\n{{#if a}}\n{{#each b}}\n{{/each}}\n", "{}", "PARSE: t:3: unclosed {{#if}}");
    CHECK("{{#if a}}\n\n{{/each}}", "{}", "PARSE: t:3: closing tag does not match {{#if}} opened at line 1");
    CHECK("x\n{{/if}}", "{}", "PARSE: t:2: closing tag without an open block");
    CHECK("{{else}}", "{}", "PARSE: t:1: {{else}} outside a block");
    CHECK("{{#if a}}{{else}}{{else}}{{/if}}", "{}", "PARSE: t:1: second {{else}} in a block");
    CHECK("\n{{#with a}}{{/with}}", "{}", "PARSE: t:2: unknown block (expected #if, #unless or #each)");
    CHECK("{{a..b}}", "{}", "PARSE: t:1: bad path \"a..b\"");
    CHECK("{{@foo}}", "{}", "PARSE: t:1: unknown variable \"@foo\"");
    CHECK("{{ }}", "{}", "PARSE: t:1: empty tag");
    CHECK("{{a b}}", "{}", "PARSE: t:1: unexpected text in tag");
    CHECK("{{#if (gt a 1)}}{{/if}}", "{}", "PARSE: t:1: expected eq or ne after (");
    CHECK("{{#if (eq a)}}{{/if}}", "{}", "PARSE: t:1: expected a path or a literal");
    CHECK("{{#if (eq a b c)}}{{/if}}", "{}", "PARSE: t:1: expected ) after two operands");
    CHECK("{{#if}}{{/if}}", "{}", "PARSE: t:1: missing condition");
    CHECK("{{#each \"x\"}}{{/each}}", "{}", "PARSE: t:1: #each needs a path");
    CHECK("{{t \"unterminated}}", "{}", "PARSE: t:1: expected a path or a literal");
    CHECK("{{>}}", "{}", "PARSE: t:1: missing partial name");
    CHECK("{{> a b}}", "{}", "PARSE: t:1: bad partial name");
    CHECK("ok\n\xC3(", "{}", "PARSE: t:2: invalid UTF-8");
}

static i18n_catalog *catalog(void) {
    static const char fr[] =
        "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n"
        "msgid \"agents\"\nmsgid_plural \"agents\"\nmsgstr[0] \"{1} agent de {2}\"\nmsgstr[1] \"{1} agents de {2}\"\n"
        "msgid \"hello\"\nmsgstr \"Bonjour {1}, vous avez {2} badges\"\n"
        "msgid \"html\"\nmsgstr \"Voir <a href=\\\"/x\\\">{1}</a> & co\"\n"
        "msgid \"state.open\"\nmsgstr \"Ouvert\"\n"
        "msgid \"only.fr\"\nmsgstr \"Français\"\n";
    static const char en[] =
        "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n"
        "msgid \"agents\"\nmsgid_plural \"agents\"\nmsgstr[0] \"{1} agent of {2}\"\nmsgstr[1] \"{1} agents of {2}\"\n"
        "msgid \"hello\"\nmsgstr \"Hello {1}, you have {2} badges {3} {0} {x}\"\n"
        "msgid \"state.open\"\nmsgstr \"Open\"\n";
    i18n_catalog *c = i18n_new();
    assert_true(i18n_add_po(c, "fr", fr, sizeof fr - 1, "fr.po", NULL));
    assert_true(i18n_add_po(c, "en", en, sizeof en - 1, "en.po", NULL));
    return c;
}

static void test_translations(void **state) {
    (void)state;
    i18n_catalog *cat = catalog();
    const char *data = "{\"name\": \"<Zoé>\", \"n\": 3, \"zero\": 0, \"one\": 1, \"half\": 1.5, \"state\": \"open\", \"key\": \"state.open\"}";
    struct { const char *src, *locale, *want; } cases[] = {
        {"{{t \"hello\" name n}}", "fr", "Bonjour &lt;Zoé&gt;, vous avez 3 badges"},
        {"{{t \"hello\" name n}}", "en", "Hello &lt;Zoé&gt;, you have 3 badges {3} {0} {x}"},
        {"{{t \"hello\" name n}}", "en-GB", "Hello &lt;Zoé&gt;, you have 3 badges {3} {0} {x}"},
        {"{{t \"hello\" name n}}", "de", "Bonjour &lt;Zoé&gt;, vous avez 3 badges"},
        {"{{t \"hello\" name n}}", NULL, "Bonjour &lt;Zoé&gt;, vous avez 3 badges"},
        {"{{t \"only.fr\"}}", "en", "Français"},
        {"{{t \"no.such\"}}", "en", "no.such"},
        {"{{t \"html\" name}}", "fr", "Voir &lt;a href=&quot;/x&quot;&gt;&lt;Zoé&gt;&lt;/a&gt; &amp; co"},
        {"{{{t \"html\" name}}}", "fr", "Voir <a href=\"/x\">&lt;Zoé&gt;</a> & co"},
        {"{{t key}}", "en", "Open"},
        {"{{t key}}|{{t missing}}", "fr", "Ouvert|"},
        {"{{#each list}}{{t .}} {{/each}}", "en", "Open state.closed "},
        {"{{t}}", "fr", ""},
        /* plural forms by the count, French (0 and 1 singular) and English (1 singular) */
        {"{{tn \"agents\" zero name}}|{{tn \"agents\" one name}}|{{tn \"agents\" n name}}", "fr",
         "0 agent de &lt;Zoé&gt;|1 agent de &lt;Zoé&gt;|3 agents de &lt;Zoé&gt;"},
        {"{{tn \"agents\" zero name}}|{{tn \"agents\" one name}}|{{tn \"agents\" n name}}", "en",
         "0 agents of &lt;Zoé&gt;|1 agent of &lt;Zoé&gt;|3 agents of &lt;Zoé&gt;"},
        {"{{tn \"agents\" half}}|{{tn \"hello\" one}}|{{tn missing one}}", "fr", "1.5 agents de {2}|Bonjour 1, vous avez {2} badges|"},
        {"<html lang=\"{{@locale}}\">", "en-GB", "<html lang=\"en\">"},
        {"<html lang=\"{{@locale}}\">", "de", "<html lang=\"fr\">"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tmpl_set *set = tmpl_set_new(cat);
        char json[256];
        snprintf(json, sizeof json, "%.*s, \"list\": [\"state.open\", \"state.closed\"]}",
                 (int)strlen(data) - 1, data);
        char *got = render_in(set, cases[i].src, json, cases[i].locale);
        assert_string_equal(got, cases[i].want);
        free(got);
        tmpl_set_free(set);
    }
    /* a set without a catalog shows keys */
    CHECK("{{t \"hello\" name}}|{{@locale}}", "{}", "hello|fr");
    CHECK("{{tn \"agents\"}}", "{}", "PARSE: t:1: tn needs a count after the key");
    i18n_free(cat);
}

/* {{num}} and {{date}} write numbers and dates per the render's locale, in value tags and
 * as translation arguments, in both languages; other values print as they are. */
static void test_num_date(void **state) {
    (void)state;
    i18n_catalog *cat = catalog();
    const char *data = "{\"avg\": 0.66, \"big\": 12345.5, \"n\": 3, \"s\": \"0.7\", \"word\": \"abc\","
                       " \"at\": 1796428800, \"day\": \"2026-12-01\", \"iso\": \"2026-12-05T10:00:00Z\","
                       " \"bad\": \"2026-13-01\", \"date\": \"d\", \"num\": 4, \"name\": \"<Z>\"}";
    struct { const char *src, *locale, *want; } cases[] = {
        {"{{num avg}}|{{num avg 2}}|{{num n}}|{{num s}}|{{num word}}|{{num nothing}}", "fr", "0,7|0,66|3|0,7|abc|"},
        {"{{num avg}}|{{num avg 2}}|{{num n}}|{{num s}}|{{num word}}", "en", "0.7|0.66|3|0.7|abc"},
        {"{{num big 1}}", "fr", "12\xe2\x80\xaf" "345,5"},
        {"{{num big 0}}", "en", "12,346"},
        {"{{date at}}|{{date day}}|{{date iso}}|{{date bad}}|{{date word}}", "fr",
         "5 décembre 2026|1er décembre 2026|5 décembre 2026|2026-13-01|abc"},
        {"{{date at}}|{{date day}}", "en", "5 December 2026|1 December 2026"},
        /* a value named like the filter prints as a value */
        {"{{date}}|{{num}}", "fr", "d|4"},
        {"{{t \"hello\" name (num avg 2)}}", "fr", "Bonjour &lt;Z&gt;, vous avez 0,66 badges"},
        {"{{t \"hello\" (date day) (num avg)}}", "en", "Hello 1 December 2026, you have 0.7 badges {3} {0} {x}"},
        {"{{tn \"agents\" n (date at)}}", "fr", "3 agents de 5 décembre 2026"},
        {"{{num avg 7}}", "fr", "PARSE: t:1: num takes a number of decimals from 0 to 6"},
        {"{{t \"hello\" (num avg}}", "fr", "PARSE: t:1: expected ) after the value"},
        {"{{t \"hello\" (upper avg)}}", "fr", "PARSE: t:1: expected num or date after ("},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tmpl_set *set = tmpl_set_new(cat);
        char *got = render_in(set, cases[i].src, data, cases[i].locale);
        assert_string_equal(got, cases[i].want);
        free(got);
        tmpl_set_free(set);
    }
    i18n_free(cat);
}

static void test_load_dir(void **state) {
    (void)state;
    char dir[] = "/tmp/test_tmpl_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[600];
    snprintf(sub, sizeof sub, "%s/admin", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    test_put(dir, "layout.html", "<main>{{> admin/users}}</main>\n");
    test_put(dir, "admin/users.html", "{{#each users}}{{.}};{{/each}}");
    test_put(dir, "notes.txt", "{{ not a template");
    test_put(dir, ".hidden.html", "{{#if}}");
    perr err = {{0}};
    tmpl_set *set = tmpl_set_load(dir, NULL, &err);
    assert_non_null(set);
    assert_true(tmpl_exists(set, "layout"));
    assert_true(tmpl_exists(set, "admin/users"));
    assert_false(tmpl_exists(set, "notes"));
    json_t *data = json_pack("{s:[s,s]}", "users", "ana", "bob");
    buf out = BUF_INIT;
    assert_true(tmpl_render(set, "layout", data, "fr", &out, &err));
    assert_string_equal(buf_cstr(&out), "<main>ana;bob;</main>\n");
    buf_free(&out);
    json_decref(data);
    tmpl_set_free(set);

    char want[700];
    test_put(dir, "admin/bad.html", "line 1\n{{> missing/partial}}\n");
    assert_null(tmpl_set_load(dir, NULL, &err));
    snprintf(want, sizeof want, "%s/admin/bad.html:2: unknown partial \"missing/partial\"", dir);
    assert_string_equal(err.msg, want);

    test_put(dir, "admin/bad.html", "ok\n\n{{#each x}}\n");
    assert_null(tmpl_set_load(dir, NULL, &err));
    snprintf(want, sizeof want, "%s/admin/bad.html:3: unclosed {{#each}}", dir);
    assert_string_equal(err.msg, want);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    assert_null(tmpl_set_load("/nonexistent/templates", NULL, &err));
    assert_string_equal(err.msg, "/nonexistent/templates: No such file or directory");
}

typedef struct job {
    const tmpl_set *set;
    json_t *data;
    const char *want;
    int failures;
} job;

static void *render_many(void *arg) {
    job *j = arg;
    buf out = BUF_INIT;
    for (int i = 0; i < 300; i++) {
        buf_reset(&out);
        perr err;
        if (!tmpl_render(j->set, "page", j->data, i % 2 ? "en" : "fr", &out, &err) ||
            strcmp(buf_cstr(&out), j->want + (i % 2 ? 0 : strlen(j->want) + 1)) != 0)
            j->failures++;
    }
    buf_free(&out);
    return NULL;
}

static void test_concurrent_render(void **state) {
    (void)state;
    i18n_catalog *cat = catalog();
    tmpl_set *set = tmpl_set_new(cat);
    const char *src = "{{#each people}}{{t \"state.open\"}} {{name}} {{@index}}{{#if (eq name \"b\")}}!{{/if}}|{{/each}}";
    assert_true(tmpl_set_add(set, "page", src, strlen(src), NULL));
    json_t *data = json_pack("{s:[{s:s},{s:s}]}", "people", "name", "a", "name", "b");
    /* en result, then fr result, in one string */
    static const char want[] = "Open a 0|Open b 1!|\0Ouvert a 0|Ouvert b 1!|";
    pthread_t th[4];
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){set, data, want, 0};
        assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].failures, 0);
    }
    json_decref(data);
    tmpl_set_free(set);
    i18n_free(cat);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping_everywhere),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_if_unless_truthiness),
        cmocka_unit_test(test_eq_ne),
        cmocka_unit_test(test_each_nesting_and_scope),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_standalone_lines),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_translations),
        cmocka_unit_test(test_num_date),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_concurrent_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
