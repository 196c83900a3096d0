/**
 * The dashboard's entry: registers every element (each module defines its own with
 * @customElement), which boots <parley-dashboard> in index.html.
 */
import './components/toaster/toaster';
import './components/empty-state/empty-state';
import './components/copy-button/copy-button';
import './components/confirm/confirm';
import './components/chart/line-chart';
import './components/chart/bar-chart';
import './components/widget-preview/widget-preview';
import './pages/login/login';
import './pages/signup/signup';
import './pages/invite/invite';
import './pages/no-workspace/no-workspace';
import './pages/analytics/analytics';
import './pages/activity/activity';
import './pages/visitors/visitors';
import './pages/visitor/visitor';
import './pages/conversation/conversation';
import './pages/personas/personas';
import './pages/models/models';
import './pages/packs/packs';
import './pages/embed/embed';
import './pages/integrations/integrations';
import './pages/settings/settings';
import './pages/keys/keys';
import './pages/members/members';
import './app/app';
