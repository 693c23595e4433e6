// The skip link: moves the focus (not just the scroll) to the main content, so the next Tab starts there. Blazor's
// navigation handles a same-page #link by scrolling only, so the click is taken before it (capture phase).
document.addEventListener('click', (e) => {
    const link = e.target instanceof Element ? e.target.closest('a.rlhf-skip-link') : null;
    if (!link) return;
    const target = document.getElementById(link.getAttribute('href').slice(1));
    if (!target) return;
    e.preventDefault();
    e.stopPropagation();
    target.focus();
}, true);
