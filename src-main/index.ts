// Electron glue only: window, protocol, security hooks, IPC registration. All logic lives in
// services/ (plain Node, tested without Electron).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, nativeTheme, protocol, session, type OpenDialogOptions } from 'electron';
import { registerIpc, makeEmitter } from './ipc';
import { createServices } from './services/create';
import { serveStatic } from './services/static-files';
import { startOnce } from './lifecycle';
import { APP_ORIGIN, APP_SCHEME, WEB_PREFERENCES, isAllowedNavigation, isAllowedRequest } from './security';

const here = fileURLToPath(new URL('.', import.meta.url));
const devServer = process.env['ELECTRON_RENDERER_URL'];
const rendererDir = join(here, '../renderer');
const resourcesDir = app.isPackaged ? join(process.resourcesPath, 'resources') : join(here, '../../resources');

// WebGPU on Linux: without these switches Electron has returned a null adapter
// (electron/electron#41763). They must be set before the app is ready.
app.commandLine.appendSwitch('enable-unsafe-webgpu');
if (process.platform === 'linux') app.commandLine.appendSwitch('enable-features', 'Vulkan');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);

let mainWindow: BrowserWindow | null = null;

function hardenContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, devServer)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedNavigation(url, devServer)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  // Deny every permission except notifications (training finished while the window was hidden).
  const allowed = new Set(['notifications']);
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(allowed.has(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => allowed.has(permission));
  // No remote content: only our own protocol (and the dev server in development) may load.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url, devServer) });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    title: 'Tailor',
    width: 1320,
    height: 860,
    minWidth: 980,
    minHeight: 640,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15171c' : '#f6f7f9',
    icon: join(resourcesDir, 'icon.png'),
    autoHideMenuBar: true,
    webPreferences: { ...WEB_PREFERENCES, preload: join(here, '../preload/index.cjs') },
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(devServer ?? `${APP_ORIGIN}/index.html`);
  return win;
}

function start(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const res = await serveStatic(rendererDir, new URL(request.url).pathname);
    return new Response(res.body as BodyInit, { status: res.status, headers: res.headers });
  });
  hardenContents();

  const services = createServices({
    dataDir: app.getPath('userData'),
    resourcesDir,
    emit: makeEmitter(() => mainWindow?.webContents ?? null),
    pickFolder: async () => {
      const options: OpenDialogOptions = { title: 'Export model to folder', properties: ['openDirectory', 'createDirectory'] };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    info: { name: app.getName(), version: app.getVersion(), shell: 'electron', versions: { ...process.versions } as Record<string, string> },
  });
  registerIpc(services, devServer);

  mainWindow = createWindow();
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
}

// A second instance hands over to the first and quits without building anything.
startOnce(app, start);

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

