// Keyboard shortcuts of the writing page (demonstrations). Ctrl+Enter (Cmd+Enter) submits from anywhere, the reply box
// included; Ctrl+Shift+P toggles the markdown preview; Escape leaves the reply box. Outside a text box: P preview,
// E back to the reply box, S skip, ? the keys.
export function attach(dotnet) {
    const handler = (e) => {
        const mod = e.ctrlKey || e.metaKey;
        if (mod && e.key === 'Enter') { e.preventDefault(); dotnet.invokeMethodAsync('OnKey', 'Submit'); return; }
        if (mod && e.shiftKey && (e.key === 'P' || e.key === 'p')) { e.preventDefault(); dotnet.invokeMethodAsync('OnKey', 'Preview'); return; }
        if (mod || e.altKey) return;
        const el = document.activeElement;
        const typing = el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && el.type !== 'checkbox'));
        if (typing) {
            if (e.key === 'Escape') el.blur();
            else if (e.key === 'Enter' && !e.shiftKey && el.dataset.submitOnEnter === 'true') { e.preventDefault(); dotnet.invokeMethodAsync('OnKey', 'ConfirmSkip'); }
            return;
        }
        // E moves focus at once: through the server the letters typed next would land on the page as shortcuts.
        const reply = document.getElementById('demonstration-reply');
        if ((e.key === 'e' || e.key === 'E') && reply) { e.preventDefault(); reply.focus(); return; }
        const keys = { p: 'Preview', P: 'Preview', s: 'Skip', S: 'Skip', '?': 'Keys' };
        if (keys[e.key]) { e.preventDefault(); dotnet.invokeMethodAsync('OnKey', keys[e.key]); }
    };
    document.addEventListener('keydown', handler);
    document.body.dataset.writingKeys = 'ready';
    return { dispose: () => { document.removeEventListener('keydown', handler); delete document.body.dataset.writingKeys; } };
}

// On each new prompt (and back from the preview): the reply box has the focus, the page starts at the top.
export function focus(id) {
    window.scrollTo(0, 0);
    document.getElementById(id)?.focus({ preventScroll: true });
}
