// Clients hanging up at every stage of uploads and pulls, on the filesystem blob store: see client-aborts.suite.ts.
import { describeClientAborts } from './client-aborts.suite.ts';

describeClientAborts('fs');
