import { Controller, Get, Logger, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/scopes.js';
import { ProblemException, problem } from '../common/problem-details.js';
import { loadDashboardAssets, type AssetPath, type StaticAsset } from './dashboard-assets.js';

/**
 * The SLA dashboard page and its files (no key needed: the page holds no data; it asks for a key
 * when the monitoring routes answer 401). Not part of the API, so not in Swagger.
 * Every file carries an ETag and `Cache-Control: no-cache`: browsers keep a copy and revalidate
 * it (304) on each load, so a new release is picked up at once without content-hashed names.
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardController {
  private readonly logger = new Logger('Dashboard');
  private readonly assets: Map<AssetPath, StaticAsset> | undefined;
  private readonly loadError: string | undefined;

  constructor() {
    // A deployment without the files still serves the API; the page answers 503 saying why.
    try {
      this.assets = loadDashboardAssets();
    } catch (err) {
      this.loadError = err instanceof Error ? err.message : String(err);
      this.logger.error(`The dashboard is unavailable: ${this.loadError}`);
    }
  }

  @Get()
  page(@Res() res: Response): void {
    this.send('', res);
  }

  @Get('app.js')
  script(@Res() res: Response): void {
    this.send('app.js', res);
  }

  @Get('app.css')
  styles(@Res() res: Response): void {
    this.send('app.css', res);
  }

  @Get('vendor/chart.umd.min.js')
  chartJs(@Res() res: Response): void {
    this.send('vendor/chart.umd.min.js', res);
  }

  @Get('vendor/chart.umd.min.js.map')
  chartJsMap(@Res() res: Response): void {
    this.send('vendor/chart.umd.min.js.map', res);
  }

  private send(path: AssetPath, res: Response): void {
    const asset = this.assets?.get(path);
    if (!asset) throw new ProblemException(problem(503, 'dashboard-unavailable', `The dashboard is unavailable: ${this.loadError ?? 'file missing'}.`));
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', asset.etag);
    // Express answers 304 without a body when If-None-Match holds this ETag (req.fresh).
    res.send(asset.body);
  }
}
