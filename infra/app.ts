#!/usr/bin/env node
import { buildApp } from './app-builder';

buildApp().app.synth();
