// Clients hanging up at every stage of uploads and pulls, on the S3 (the S3-compatible test server) blob store: see client-aborts.suite.ts.
import { describeClientAborts } from './client-aborts.suite.ts';

describeClientAborts('s3');
