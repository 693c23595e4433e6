// Keyboard shortcuts of the rating page. In a text box only Enter (submit; Shift+Enter for a new line) and
// Escape (leave the box) act, so typing a rationale never triggers a choice.
export function attach(dotnet) {
    const handler = (e) => {
        if (e.ctrlKey || e.metaKey || e.altKey) return;
        const el = document.activeElement;
        const typing = el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && el.type !== 'checkbox'));
        if (typing) {
            if (e.key === 'Enter' && !e.shiftKey && el.dataset.submitOnEnter === 'true') { e.preventDefault(); dotnet.invokeMethodAsync('OnKey', 'Enter'); }
            else if (e.key === 'Escape') { el.blur(); }
            return;
        }
        // R moves focus here, at once: through the server the letters typed next would land on the page as shortcuts.
        const rationale = document.getElementById('history-rationale') ?? document.getElementById('rationale');
        if ((e.key === 'r' || e.key === 'R') && rationale) { e.preventDefault(); rationale.focus(); return; }
        const keys = ['1', '2', '3', '4', '5', 'b', 'B', 'r', 'R', 's', 'S', 'g', 'G', 'h', 'H', '?', 'Enter', 'Escape'];
        // The vote history (H) also takes the arrows (pick a vote) and U (undo it); elsewhere the arrows scroll as usual.
        const historyKeys = document.getElementById('vote-history') ? ['ArrowUp', 'ArrowDown', 'u', 'U'] : [];
        if (keys.includes(e.key) || historyKeys.includes(e.key)) {
            e.preventDefault();
            dotnet.invokeMethodAsync('OnKey', e.key);
        }
    };
    document.addEventListener('keydown', handler);
    const clock = setInterval(tickElapsed, 1000);
    document.body.dataset.ratingKeys = 'ready';
    return {
        dispose: () => {
            document.removeEventListener('keydown', handler);
            clearInterval(clock);
            delete document.body.dataset.ratingKeys;
        },
    };
}

// The time on the comparison (#elapsed), counted on here from the server's reading at its last render (data-rendered
// tells a new one), so the server renders nothing a second. Only the text node's value changes: the node stays the
// one Blazor rendered and updates.
let elapsedSeen = null, elapsedMs = 0, elapsedAt = 0;
function tickElapsed() {
    const el = document.getElementById('elapsed');
    const text = el?.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) return;
    if (el.dataset.rendered !== elapsedSeen) {
        elapsedSeen = el.dataset.rendered;
        elapsedMs = Number(el.dataset.elapsedMs) || 0;
        elapsedAt = performance.now();
    }
    const s = Math.floor((elapsedMs + performance.now() - elapsedAt) / 1000);
    const two = (n) => String(n).padStart(2, '0');
    const shown = s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
    if (text.nodeValue !== shown) text.nodeValue = shown;
}

export function focus(id) { document.getElementById(id)?.focus(); }

// After a vote or skip: leave any text box (a rationale's focus would swallow the next keys), go back to the top and
// put focus on the new comparison's heading, so keys choose again and a screen reader starts there.
export function showNext(id) {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    window.scrollTo(0, 0);
    document.getElementById(id)?.focus({ preventScroll: true });
}
