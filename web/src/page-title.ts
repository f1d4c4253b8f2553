const appName = 'Notes'

/** The tab's title: the page, then the app, once ("Trash · Notes"; the notes list is just "Notes"). */
export function setPageTitle(title: string): void {
  document.title = title === appName ? appName : `${title} · ${appName}`
}
