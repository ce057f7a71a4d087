import type { GroupService } from '../api';
import type { AppInfo } from '../../src-shared/types/app';

export class AppInfoService implements GroupService<'app'> {
  constructor(private readonly base: Omit<AppInfo, 'platform'>) {}

  info(): AppInfo {
    return { ...this.base, platform: process.platform };
  }
}
