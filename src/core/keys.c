#include "config.h"

#include "keys.h"
#include "i18n.h"

#include <string.h>

static const key_binding table[] = {
	{ KEYC_UP, SCR_ANY, ACT_UP, "↑", N_("Move up / scroll up one line") },
	{ 'k', SCR_ANY, ACT_UP, "k", N_("Move up / scroll up one line") },
	{ KEYC_DOWN, SCR_ANY, ACT_DOWN, "↓", N_("Move down / scroll down one line") },
	{ 'j', SCR_ANY, ACT_DOWN, "j", N_("Move down / scroll down one line") },
	{ KEYC_PPAGE, SCR_ANY, ACT_PAGE_UP, "PgUp", N_("Scroll up one screen") },
	{ 'b', SCR_PAGER, ACT_PAGE_UP, "b", N_("Scroll up one screen") },
	{ KEYC_NPAGE, SCR_ANY, ACT_PAGE_DOWN, "PgDn", N_("Scroll down one screen") },
	{ ' ', SCR_PAGER, ACT_PAGE_DOWN, "Space", N_("Scroll down one screen; at the end, go to the next page") },
	{ KEYC_HOME, SCR_ANY, ACT_TOP, "Home", N_("Go to the top") },
	{ 'g', SCR_ANY, ACT_TOP, "g", N_("Go to the top") },
	{ KEYC_END, SCR_ANY, ACT_BOTTOM, "End", N_("Go to the bottom") },
	{ 'G', SCR_ANY, ACT_BOTTOM, "G", N_("Go to the bottom") },
	{ KEYC_LEFT, SCR_PAGER, ACT_PREV_PAGE, "←", N_("Previous page of the lesson") },
	{ 'p', SCR_PAGER, ACT_PREV_PAGE, "p", N_("Previous page of the lesson") },
	{ KEYC_RIGHT, SCR_PAGER, ACT_NEXT_PAGE, "→", N_("Next page of the lesson") },
	{ 'n', SCR_PAGER, ACT_NEXT_PAGE, "n", N_("Next page of the lesson") },
	{ 'N', SCR_PAGER, ACT_NEXT_LESSON, "N", N_("Next lesson") },
	{ 'r', SCR_PAGER, ACT_REVEAL, "r", N_("Show or hide the answers to the questions") },
	{ 'd', SCR_PAGER, ACT_DEMO, "d", N_("Run the live demo on this page") },
	{ KEYC_ENTER, SCR_PAGER, ACT_DEMO, "Enter", N_("Run the live demo on this page") },
	{ ' ', SCR_DEMO, ACT_STEP, "Space", N_("Run the next step: the next call on the real kernel") },
	{ KEYC_ENTER, SCR_DEMO, ACT_STEP, "Enter", N_("Run the next step: the next call on the real kernel") },
	{ KEYC_RIGHT, SCR_DEMO, ACT_STEP, "→", N_("Run the next step: the next call on the real kernel") },
	{ 'a', SCR_DEMO, ACT_AUTO, "a", N_("Auto mode: run the steps one after another, or stop") },
	{ '+', SCR_DEMO, ACT_FASTER, "+", N_("Auto mode: faster") },
	{ '-', SCR_DEMO, ACT_SLOWER, "-", N_("Auto mode: slower") },
	{ 'r', SCR_DEMO, ACT_RESTART, "r", N_("Restart the demo with new sockets") },
	{ 'c', SCR_DEMO, ACT_CODE, "c", N_("Show the calls in C, in Python, or as strace, ss and tcpdump show them") },
	{ 'l', SCR_DEMO, ACT_LAB, "l", N_("Packet lab on or off: run the demo in private namespaces and show every packet") },
	{ 'p', SCR_DEMO, ACT_PANEL, "p", N_("Packet lab: the side panel shows the kernel's states or the packets") },
	{ 'h', SCR_DEMO, ACT_WIRE_HOLD, "h", N_("Packet lab: hold every packet on the wire, or let them pass") },
	{ 'n', SCR_DEMO, ACT_WIRE_DELIVER, "n", N_("Packet lab: deliver the next held packet") },
	{ 'x', SCR_DEMO, ACT_WIRE_DROP, "x", N_("Packet lab: drop the next packet") },
	{ 'u', SCR_DEMO, ACT_WIRE_DUP, "u", N_("Packet lab: duplicate the next packet") },
	{ 'w', SCR_DEMO, ACT_WIRE_SWAP, "w", N_("Packet lab: swap the next two packets") },
	{ 'D', SCR_DEMO, ACT_WIRE_DELAY, "D", N_("Packet lab: delay the next packet by 500 ms") },
	{ 't', SCR_DEMO, ACT_WIRE_SLOW, "t", N_("Packet lab: slow wire: deliver at once, after 0.5 s or after 2 s") },
	{ 'q', SCR_DEMO, ACT_BACK, "q", N_("Back to the lesson (the demo's sockets are closed)") },
	{ KEYC_ESC, SCR_DEMO, ACT_BACK, "Esc", N_("Back to the lesson (the demo's sockets are closed)") },
	{ KEYC_BACKSPACE, SCR_DEMO, ACT_BACK, "Backspace", N_("Back to the lesson (the demo's sockets are closed)") },
	{ KEYC_ENTER, SCR_MENU, ACT_OPEN, "Enter", N_("Open the selected lesson") },
	{ KEYC_RIGHT, SCR_MENU, ACT_OPEN, "→", N_("Open the selected lesson") },
	{ KEYC_ENTER, SCR_GLOSSARY, ACT_OPEN, "Enter", N_("Open the lesson that introduces the term") },
	{ KEYC_RIGHT, SCR_GLOSSARY, ACT_OPEN, "→", N_("Open the lesson that introduces the term") },
	{ '1', SCR_PAGER | SCR_DEMO, ACT_ANSWER, "1-9", N_("Answer the question in view: choose 1, 2, 3 ...") },
	{ 'H', SCR_PAGER | SCR_DEMO, ACT_HINT, "H", N_("Show the hint for the question in view") },
	{ 's', SCR_DEMO, ACT_SKIP, "s", N_("Skip the prediction and run the step") },
	{ 'E', SCR_DEMO, ACT_EXPORT, "E", N_("Export the transcript so far (Markdown, each call with its strace and ss lines) to the current directory") },
	{ 'e', SCR_DEMO, ACT_PLAYGROUND, "e", N_("Experiment: this demo's lines run again in the playground, then type your own") },
	{ 'T', SCR_ANY, ACT_GLOSSARY, "T", N_("Glossary of terms, English and Chinese") },
	{ KEYC_F3, SCR_ANY, ACT_GLOSSARY, "F3", N_("Glossary of terms, English and Chinese") },
	{ 'L', SCR_ANY, ACT_LANG, "L", N_("Switch language: English / 中文") },
	{ KEYC_F2, SCR_ANY, ACT_LANG, "F2", N_("Switch language: English / 中文") },
	{ '?', SCR_ANY, ACT_HELP, "?", N_("Show this help") },
	{ KEYC_F1, SCR_ANY, ACT_HELP, "F1", N_("Show this help") },
	{ 'q', SCR_PAGER, ACT_BACK, "q", N_("Back to the lesson menu") },
	{ KEYC_ESC, SCR_PAGER, ACT_BACK, "Esc", N_("Back to the lesson menu") },
	{ KEYC_BACKSPACE, SCR_PAGER, ACT_BACK, "Backspace", N_("Back to the lesson menu") },
	{ 'q', SCR_GLOSSARY, ACT_BACK, "q", N_("Back to where you were") },
	{ KEYC_ESC, SCR_GLOSSARY, ACT_BACK, "Esc", N_("Back to where you were") },
	{ KEYC_BACKSPACE, SCR_GLOSSARY, ACT_BACK, "Backspace", N_("Back to where you were") },
	{ 'P', SCR_MENU, ACT_PROJECT, "P", N_("Projects: an echo server for clients you run yourself (nc, telnet, Python)") },
	{ 'P', SCR_PROJECT, ACT_PROJECT, "P", N_("The next project: echo, HTTP, chat, files, UDP chat, a client for your server") },
	{ 'c', SCR_PROJECT, ACT_CODE, "c", N_("Show the calls in C or in Python") },
	{ KEYC_TAB, SCR_PROJECT, ACT_CODE, "Tab", N_("Show the calls in C or in Python") },
	{ KEYC_ENTER, SCR_PROJECT, ACT_RUN, "Enter", N_("Chat, UDP chat and client: send the typed line (the client first asks for your server's port)") },
	{ 'q', SCR_PROJECT, ACT_BACK, "q", N_("Stop the server and go back") },
	{ KEYC_ESC, SCR_PROJECT, ACT_BACK, "Esc", N_("Stop the server and go back") },
	{ 'i', SCR_MENU, ACT_PLAYGROUND, "i", N_("The playground: type socket calls for several actors and watch each result") },
	{ KEYC_ENTER, SCR_PLAYGROUND, ACT_RUN, "Enter", N_("Run the typed line on the real kernel (or a command: save, export, restart, clear, help)") },
	{ KEYC_TAB, SCR_PLAYGROUND, ACT_COMPLETE, "Tab", N_("Complete the actor, socket, call, option or state being typed; twice lists the choices") },
	{ KEYC_UP, SCR_PLAYGROUND, ACT_HISTORY, "↑", N_("An earlier line (↓: a later one)") },
	{ KEYC_PPAGE, SCR_PLAYGROUND, ACT_PAGE_UP, "PgUp", N_("Scroll up one screen") },
	{ KEYC_NPAGE, SCR_PLAYGROUND, ACT_PAGE_DOWN, "PgDn", N_("Scroll down one screen") },
	{ KEYC_HOME, SCR_PLAYGROUND, ACT_TOP, "Home", N_("Go to the top") },
	{ KEYC_END, SCR_PLAYGROUND, ACT_BOTTOM, "End", N_("Go to the bottom") },
	{ KEYC_F1, SCR_PLAYGROUND, ACT_HELP, "F1", N_("Show this help") },
	{ KEYC_F2, SCR_PLAYGROUND, ACT_LANG, "F2", N_("Switch language: English / 中文") },
	{ KEYC_F3, SCR_PLAYGROUND, ACT_GLOSSARY, "F3", N_("Glossary of terms, English and Chinese") },
	{ KEYC_F4, SCR_PLAYGROUND, ACT_CODE, "F4", N_("Show the calls in C, in Python, or as strace, ss and tcpdump show them") },
	{ KEYC_F5, SCR_PLAYGROUND, ACT_RESTART, "F5", N_("Run the same lines again, on new sockets") },
	{ KEYC_F6, SCR_PLAYGROUND, ACT_SAVE, "F6", N_("Save the session as a script, each result written after ->") },
	{ KEYC_F7, SCR_PLAYGROUND, ACT_EXPORT, "F7", N_("Export the transcript so far (Markdown, each call with its strace and ss lines) to the current directory") },
	{ KEYC_ESC, SCR_PLAYGROUND, ACT_BACK, "Esc", N_("Clear the typed line; on an empty line, leave the playground") },
	{ 'c', SCR_MENU, ACT_CONTINUE, "c", N_("Continue where you left off: the lesson, page and demo step") },
	{ 't', SCR_MENU | SCR_PAGER, ACT_FIND, "t", N_("Contents and search: every page of every lesson; type to search the lesson text") },
	{ '/', SCR_MENU | SCR_PAGER, ACT_FIND, "/", N_("Contents and search: every page of every lesson; type to search the lesson text") },
	{ ']', SCR_PAGER, ACT_NEXT_HIT, "]", N_("The next place the search found") },
	{ '[', SCR_PAGER, ACT_PREV_HIT, "[", N_("The previous place the search found") },
	{ 'R', SCR_MENU, ACT_RESET, "R", N_("Reset the selected lesson: forget its pages read and answers (asks first)") },
	{ 'B', SCR_ANY, ACT_BLANK, "B", N_("Blank the screen (any key brings it back)") },
	{ KEYC_ENTER, SCR_FIND, ACT_OPEN, "Enter", N_("Open the page, at the place found") },
	{ KEYC_UP, SCR_FIND, ACT_UP, "↑", N_("Move up / scroll up one line") },
	{ KEYC_DOWN, SCR_FIND, ACT_DOWN, "↓", N_("Move down / scroll down one line") },
	{ KEYC_PPAGE, SCR_FIND, ACT_PAGE_UP, "PgUp", N_("Scroll up one screen") },
	{ KEYC_NPAGE, SCR_FIND, ACT_PAGE_DOWN, "PgDn", N_("Scroll down one screen") },
	{ KEYC_HOME, SCR_FIND, ACT_TOP, "Home", N_("Go to the top") },
	{ KEYC_END, SCR_FIND, ACT_BOTTOM, "End", N_("Go to the bottom") },
	{ KEYC_F1, SCR_FIND, ACT_HELP, "F1", N_("Show this help") },
	{ KEYC_F2, SCR_FIND, ACT_LANG, "F2", N_("Switch language: English / 中文") },
	{ KEYC_ESC, SCR_FIND, ACT_BACK, "Esc", N_("Clear the search; when it is empty, go back") },
	{ 'q', SCR_MENU, ACT_QUIT, "q", N_("Quit socktutor") },
	{ KEYC_ESC, SCR_MENU, ACT_QUIT, "Esc", N_("Quit socktutor") },
};

key_action keys_lookup(int screen, int key)
{
	if (key >= '2' && key <= '9')
		key = '1';	/* one binding, "1-9", stands for all nine */
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].key == key && (table[i].screens & screen))
			return table[i].action;
	return ACT_NONE;
}

const key_binding *keys_table(size_t *count)
{
	*count = sizeof table / sizeof table[0];
	return table;
}

static const char *ascii_name(const char *name)
{
	static const char *const map[][2] = {
		{ "↑", "Up" }, { "↓", "Down" }, { "←", "Left" }, { "→", "Right" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(name, map[i][0]) == 0)
			return map[i][1];
	return name;
}

const char *keys_names(int screen, key_action action, bool ascii)
{
	return keys_names_ex(screen, action, ascii, false);
}

const char *keys_names_ex(int screen, key_action action, bool ascii, bool typing)
{
	static char buf[64];
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (table[i].action != action || !(table[i].screens & screen))
			continue;
		if (typing && table[i].key >= 0x20 && table[i].key < KEYC_BASE)
			continue;
		const char *name = ascii ? ascii_name(table[i].name) : table[i].name;
		/* "t /": the key / is not written as a separator */
		if (buf[0] && strlen(buf) + 1 < sizeof buf)
			strcat(buf, strcmp(name, "/") == 0 ? " " : "/");
		if (strlen(buf) + strlen(name) < sizeof buf)
			strcat(buf, name);
	}
	return buf;
}
