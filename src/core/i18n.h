/* Language choice and gettext set-up. The program speaks English or Simplified Chinese;
 * it chooses by itself rather than trusting the C library, so that Chinese works on machines
 * where no zh_CN locale is generated. */
#ifndef SOCKTUTOR_I18N_H
#define SOCKTUTOR_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define _(s) gettext(s)
#define N_(s) (s)

typedef enum lang_id {
	LANG_EN,
	LANG_ZH_CN,
	LANG_COUNT
} lang_id;

/* Chooses the language from the environment's values (any may be NULL): LANGUAGE first
 * (as gettext does, ignored when the locale is C or POSIX), then LC_ALL, LC_MESSAGES, LANG.
 * A value beginning with "zh" means Chinese; anything else English. */
lang_id i18n_choose(const char *language, const char *lc_all, const char *lc_messages,
		    const char *lang);

/* Same, reading the process environment. */
lang_id i18n_choose_from_env(void);

/* Parses "en" / "zh_CN" (also "zh", "zh_CN.UTF-8", "chinese"); returns -1 when unknown. */
int i18n_parse(const char *s);

/* "en" or "zh_CN": the directory name of lessons and the catalog name. */
const char *i18n_code(lang_id lang);

/* Sets the locale for UTF-8 text (falling back to C.UTF-8) and binds the text domain
 * to localedir. Returns true when the character set is UTF-8. */
bool i18n_init(const char *localedir);

/* Switches gettext's language at run time (works without the zh_CN locale installed). */
void i18n_set_lang(lang_id lang);
lang_id i18n_lang(void);

#endif
