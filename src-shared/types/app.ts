export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' in the desktop app, 'web' when the renderer runs against the test server. */
  shell: 'electron' | 'web';
  platform: string;
  versions: Record<string, string>;
  dataDir: string;
}
