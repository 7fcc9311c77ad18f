#include "config.h"

#include "i18n.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static lang_id current_lang = LANG_EN;

static bool is_c_locale(const char *v)
{
	return strcmp(v, "C") == 0 || strcmp(v, "POSIX") == 0;
}

static bool set(const char *v)
{
	return v && *v;
}

lang_id i18n_choose(const char *language, const char *lc_all, const char *lc_messages,
		    const char *lang)
{
	const char *locale = set(lc_all) ? lc_all : set(lc_messages) ? lc_messages
			   : set(lang) ? lang : "C";

	if (set(language) && !is_c_locale(locale)) {
		const char *p = language;
		while (*p) {
			size_t n = strcspn(p, ":");
			if (n >= 2 && strncasecmp(p, "zh", 2) == 0)
				return LANG_ZH_CN;
			if (n >= 2 && strncasecmp(p, "en", 2) == 0)
				return LANG_EN;
			p += n;
			if (*p == ':')
				p++;
		}
	}
	return strncasecmp(locale, "zh", 2) == 0 ? LANG_ZH_CN : LANG_EN;
}

lang_id i18n_choose_from_env(void)
{
	return i18n_choose(getenv("LANGUAGE"), getenv("LC_ALL"), getenv("LC_MESSAGES"),
			   getenv("LANG"));
}

int i18n_parse(const char *s)
{
	if (!s)
		return -1;
	if (strncasecmp(s, "zh", 2) == 0 || strcasecmp(s, "chinese") == 0)
		return LANG_ZH_CN;
	if (strncasecmp(s, "en", 2) == 0 || strcasecmp(s, "english") == 0 ||
	    strcmp(s, "C") == 0)
		return LANG_EN;
	return -1;
}

const char *i18n_code(lang_id lang)
{
	return lang == LANG_ZH_CN ? "zh_CN" : "en";
}

static bool codeset_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

bool i18n_init(const char *localedir)
{
	/* Only the character set (LC_CTYPE) and the messages (LC_MESSAGES) come from the
	 * environment; numbers stay in the C locale. Under a locale whose decimal point is a
	 * comma (de_DE, fr_FR, ru_RU, ...) strtod() would read a demo script's "0.5" as 0 and
	 * stop at the point, and figures would be printed unlike the Python lines beside them.
	 * Loading two categories instead of all of them is also faster where the locales are
	 * files, not an archive. */
	const char *got = setlocale(LC_CTYPE, "");
	/* No locale at all, or one that is not installed (setlocale failed, e.g. zh_CN.UTF-8 on
	 * a machine without it): C.UTF-8 still gives UTF-8 text handling. A real non-UTF-8
	 * locale stays as it is. */
	if (!got || (!codeset_is_utf8() && is_c_locale(got)))
		setlocale(LC_CTYPE, "C.UTF-8");
	/* gettext ignores LANGUAGE when the messages locale is plain C; the program chooses the
	 * language itself, so messages must not be left in the C locale. */
	const char *msg = setlocale(LC_MESSAGES, "");
	if (!msg || is_c_locale(msg))
		setlocale(LC_MESSAGES, "C.UTF-8");
	bindtextdomain(PACKAGE, localedir);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
	return codeset_is_utf8();
}

void i18n_set_lang(lang_id lang)
{
	current_lang = lang;
	setenv("LANGUAGE", lang == LANG_ZH_CN ? "zh_CN" : "en", 1);
	/* Setting the domain again makes gettext drop its cache of translations. */
	textdomain(textdomain(NULL));
}

lang_id i18n_lang(void)
{
	return current_lang;
}
