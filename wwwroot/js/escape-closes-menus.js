// Esc closes an open dropdown list (a MudSelect's, e.g. the roles of an account) wherever the focus is. MudBlazor closes
// it on Esc only while its own input has the focus; with the focus on an item of the list (after a click, or moved
// there with the arrow keys) Esc did nothing. An open list lies over the popover provider's overlay; clicking that
// overlay is MudBlazor's own way to close it.
document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !document.querySelector('.mud-popover-open .mud-list')) return;
    const overlay = document.querySelector('.mud-popover-provider > .mud-overlay');
    if (overlay) overlay.click();
}, true);
